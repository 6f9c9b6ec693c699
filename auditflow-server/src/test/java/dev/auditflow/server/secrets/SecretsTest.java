package dev.auditflow.server.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditflow.server.ServerConfig;
import org.junit.jupiter.api.Test;

class SecretsTest {
  @Test
  void passwordsInJdbcAndRedisUrlsAreMasked() {
    assertThat(Secrets.maskUrl("jdbc:postgresql://db:5432/audit?user=svc&password=s3cret&ssl=true"))
        .isEqualTo("jdbc:postgresql://db:5432/audit?user=svc&password=****&ssl=true");
    assertThat(Secrets.maskUrl("jdbc:postgresql://svc:s3cret@db/audit?sslpassword=k&sslkey=/k.pem"))
        .isEqualTo("jdbc:postgresql://svc:****@db/audit?sslpassword=****&sslkey=****");
    assertThat(Secrets.maskUrl("redis://:s3cret@cache:6379/0")).isEqualTo("redis://:****@cache:6379/0");
    assertThat(Secrets.maskUrl("rediss://user:s3cret@cache:6379")).isEqualTo("rediss://user:****@cache:6379");
    assertThat(Secrets.maskUrl("redis://cache:6379")).isEqualTo("redis://cache:6379");
  }

  @Test
  void theServerConfigNeverPrintsThem() {
    ServerConfig config = ServerConfig.builder().jdbcUrl("jdbc:postgresql://db/audit?user=u&password=s3cret")
        .redisUrl("redis://:r3dis@cache:6379").build();
    assertThat(config.toString()).doesNotContain("s3cret").doesNotContain("r3dis").contains("password=****");
  }
}
