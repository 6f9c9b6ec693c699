package dev.auditflow.server.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.auditflow.server.failure.RequestRefusedException;
import dev.auditflow.server.trail.DetailFilter;
import dev.auditflow.server.trail.EventFilter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueryParametersTest {
  private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
  private final QueryParameters parameters = new QueryParameters(Clock.fixed(NOW, ZoneOffset.UTC), PageParameters.DEFAULT_LIMIT);

  private static Map<String, List<String>> query(String... pairs) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      params.put(pairs[i], List.of(pairs[i + 1]));
    }
    return params;
  }

  @Test
  void aDetailFilterAloneSearchesTheLast31Days() {
    EventFilter filter = parameters.filter(query("detail_key", "task_id", "detail_value", "t-1"));
    assertThat(filter.detail()).isEqualTo(new DetailFilter("task_id", "t-1"));
    assertThat(filter.since()).isEqualTo(NOW.minus(Duration.ofDays(31)));
    assertThat(filter.until()).isNull();
  }

  @Test
  void theImplicitWindowEndsAtUntil() {
    EventFilter filter = parameters.filter(query("detail_key", "k", "detail_value", "v", "until", "2026-12-01T00:00:00Z"));
    assertThat(filter.since()).isEqualTo(Instant.parse("2026-10-31T00:00:00Z"));
  }

  @Test
  void aCorrelationIdNeedsNoWindow() {
    EventFilter filter = parameters.filter(query("correlation_id", "rr-1", "detail_key", "k", "detail_value", "v"));
    assertThat(filter.since()).isNull();
  }

  @Test
  void aWindowLongerThan31DaysIsRefusedNotScanned() {
    assertThatThrownBy(() -> parameters.filter(query("since", "40d", "detail_key", "k", "detail_value", "v")))
        .isInstanceOfSatisfying(RequestRefusedException.class, e -> assertThat(e.problem().fieldErrors().get("detail_key"))
            .contains("31 days"));
    assertThat(parameters.filter(query("since", "31d", "detail_key", "k", "detail_value", "v")).since())
        .isEqualTo(NOW.minus(Duration.ofDays(31)));
  }

  @Test
  void oneHalfOfADetailFilterIsRefusedInKubernautsWords() {
    for (String given : List.of("detail_key", "detail_value")) {
      String missing = given.equals("detail_key") ? "detail_value" : "detail_key";
      assertThatThrownBy(() -> parameters.filter(query(given, "x")))
          .isInstanceOfSatisfying(RequestRefusedException.class, e -> assertThat(e.problem().fieldErrors().get(missing))
              .isEqualTo("detail_key and detail_value must both be provided"));
    }
  }
}
