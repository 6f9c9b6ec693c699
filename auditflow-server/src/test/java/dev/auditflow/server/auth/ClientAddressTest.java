package dev.auditflow.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClientAddressTest {
  private static final Set<String> PROXIES = Set.of("10.0.0.1", "10.0.0.2");

  @Test
  void theRightMostUntrustedHopOfATrustedProxyIsTheClient() {
    assertThat(ClientAddress.of("192.0.2.1", List.of("203.0.113.5"), PROXIES)).as("not a proxy: its header is ignored")
        .isEqualTo("192.0.2.1");
    assertThat(ClientAddress.of("10.0.0.1", List.of("203.0.113.5"), PROXIES)).isEqualTo("203.0.113.5");
    assertThat(ClientAddress.of("10.0.0.1", List.of("6.6.6.6, 203.0.113.5, 10.0.0.2"), PROXIES)).isEqualTo("203.0.113.5");
    assertThat(ClientAddress.of("10.0.0.1", List.of("6.6.6.6", "203.0.113.5"), PROXIES)).isEqualTo("203.0.113.5");
    assertThat(ClientAddress.of("10.0.0.1", List.of(), PROXIES)).isEqualTo("10.0.0.1");
    assertThat(ClientAddress.of("10.0.0.1", List.of("unknown"), PROXIES)).isEqualTo("10.0.0.1");
  }

  @Test
  void ipv6ClientsAreCountedByTheirSlash64() {
    assertThat(ClientAddress.failureKey("2001:db8:1:2:aaaa::1")).isEqualTo(ClientAddress.failureKey("2001:db8:1:2::ffff"))
        .isEqualTo("20010db800010002::/64");
    assertThat(ClientAddress.failureKey("2001:db8:1:3::1")).isNotEqualTo(ClientAddress.failureKey("2001:db8:1:2::1"));
    assertThat(ClientAddress.failureKey("192.0.2.7")).isEqualTo("192.0.2.7");
  }
}
