package dev.auditflow.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.auditflow.server.auth.AuthSettings;
import dev.auditflow.server.testing.Superuser;
import dev.auditflow.server.testing.TestDatabase;
import dev.auditflow.server.tls.TlsFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A start that fails after the database was opened leaves nothing open behind it. */
class StartFailureTest {

  @Test
  void aStepThatFailsAfterThePoolOpenedClosesThePoolAgain() throws Exception {
    String db = TestDatabase.create();
    try {
      Path dir = Files.createTempDirectory("auditflow-start-failure");
      // TLS files that do not exist: the connector fails after the pools, the partitions and the
      // purge's loop were made.
      ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0).jdbcUrl(db).poolSize(3)
          .auth(AuthSettings.tokens(dir.resolve("admin.token")))
          .tls(new TlsFiles(dir.resolve("missing.crt"), dir.resolve("missing.key"))).build();
      long loopsBefore = purgeLoops();
      assertThatThrownBy(() -> AuditServer.start(config)).isInstanceOf(RuntimeException.class);
      String path = db.contains("?") ? db.substring(0, db.indexOf('?')) : db;
      String database = path.substring(path.lastIndexOf('/') + 1);
      Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Superuser.number(db,
          "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'auditflow' AND datname = '" + database
              + "' AND pid <> pg_backend_pid()"))
          .as("connections of the failed start's pools").isZero());
      Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(purgeLoops())
          .as("the failed start's purge loop").isEqualTo(loopsBefore));
    } finally {
      TestDatabase.drop(db);
    }
  }

  private static long purgeLoops() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("auditflow-purge")).count();
  }
}
