package dev.auditflow.server.trail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.api.UuidV7;
import dev.auditflow.server.testing.EventCountsCheck;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.testing.Superuser;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The counts that totals are read from (V20, {@link EventCounts}): which filters they answer,
 * and that they stay exactly the stored rows while writers and folds run at once.
 */
class EventCountsTest {
  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();

  private static EventFilter filter(Map<String, String> equals, String excludedCategory) {
    return new EventFilter(equals, null, null, null, excludedCategory, null);
  }

  @Test
  void theCountsAnswerOneCountedValueOrNoFilterAndNothingElse() {
    Instant now = Instant.now();
    assertThat(EventCounts.answers(filter(Map.of(), null))).isTrue();
    assertThat(EventCounts.answers(filter(Map.of(), "auditflow"))).isTrue();
    for (String column : EventCounts.DIMENSIONS) {
      assertThat(EventCounts.answers(filter(Map.of(column, "x"), null))).as(column).isTrue();
    }
    assertThat(EventCounts.answers(filter(Map.of("event_category", "x"), "auditflow"))).isTrue();

    assertThat(EventCounts.answers(filter(Map.of("event_type", "x"), "auditflow")))
        .as("another dimension's value with a category excluded").isFalse();
    assertThat(EventCounts.answers(filter(Map.of("event_type", "x", "severity", "info"), null))).isFalse();
    assertThat(EventCounts.answers(filter(Map.of("correlation_id", "x"), null))).isFalse();
    assertThat(EventCounts.answers(filter(Map.of(), null).between(now, null))).isFalse();
    assertThat(EventCounts.answers(filter(Map.of(), null).between(null, now))).isFalse();
    assertThat(EventCounts.answers(new EventFilter(Map.of(), null, null, new DetailFilter("k", "v"), null, null)))
        .isFalse();
    assertThat(EventCounts.answers(new EventFilter(Map.of(), null, null, null, null,
        new ProducerRange(UuidV7.generate(), 1, 2)))).isFalse();
  }

  @Test
  void theServicesLoginReadsTheCountsButCannotWriteThemOrDropAMonthUncounted() throws Exception {
    // auditflow_writer is the role V2 made for the service's login (docs/SECURITY.md).
    assertThatThrownBy(() -> Superuser.execute(fx.jdbcUrl(), "SET ROLE auditflow_writer",
        "INSERT INTO audit_event_counts (dimension, value, events) VALUES ('event_category', 'forged', 1000000)"))
        .hasMessageContaining("permission denied");
    assertThatThrownBy(() -> Superuser.execute(fx.jdbcUrl(), "SET ROLE auditflow_writer",
        "SELECT auditflow_drop_uncounted_partition('audit_events_2020_01')"))
        .hasMessageContaining("permission denied");
    Superuser.execute(fx.jdbcUrl(), "SET ROLE auditflow_writer", "SELECT count(*) FROM audit_event_counts");
  }

  @Test
  void anEventWithoutASeverityIsCountedUnderItsOtherColumns() {
    // Kubernaut may send "severity": "" (optional since V4): stored as none, and no filter asks for none.
    String category = "no-severity-" + UuidV7.generate().toString().substring(24);
    var event = EventJson.valid("counts-no-severity");
    event.put("event_category", category);
    event.put("severity", "");
    var stored = fx.postJson("/api/v1/audit/events", event.toString());
    assertThat(stored.status()).as(stored.body()).isEqualTo(201);

    assertThat(Superuser.number(fx.jdbcUrl(), "SELECT count(*) FROM audit_events WHERE severity IS NULL"
        + " AND event_category = '" + category + "'")).as("stored without a severity").isEqualTo(1);
    assertThat(fx.server().trail().count(filter(Map.of("event_category", category), null))).isEqualTo(1);
    assertThat(EventCountsCheck.disagreements(fx.jdbcUrl())).isEmpty();
  }

  @Test
  void writersAndTwoFoldersAtOnceLeaveEveryValueCountedExactly() throws Exception {
    String run = UuidV7.generate().toString();
    ExecutorService writers = Executors.newFixedThreadPool(4);
    ExecutorService folder = Executors.newSingleThreadExecutor();
    try {
      List<Future<?>> writing = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int writer = w;
        writing.add(writers.submit(() -> {
          for (int request = 0; request < 25; request++) {
            List<AuditEvent> events = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
              events.add(event("counts-" + run + "-" + writer + "-" + request % 5, "counts-" + run + "-" + i % 3,
                  "t.counts-" + i % 7, i % 4 == 0 ? EventOutcome.FAILURE : EventOutcome.SUCCESS));
            }
            fx.server().trail().append(events, "counts-test");
          }
          return null;
        }));
      }
      // Two folders at once, as two instances of the server run theirs.
      Future<Integer> otherFolds = folder.submit(() -> foldUntilDone(writing));
      int folds = foldUntilDone(writing);
      for (Future<?> f : writing) {
        f.get();
      }
      assertThat(folds).as("folds ran while the writers did").isPositive();
      assertThat(otherFolds.get()).as("and the other instance's").isPositive();
    } finally {
      writers.shutdownNow();
      folder.shutdownNow();
    }

    assertThat(EventCountsCheck.disagreements(fx.jdbcUrl())).isEmpty();
    assertThat(fx.server().trail().count(filter(Map.of("event_category", "counts-" + run + "-0"), null)))
        .isEqualTo(4 * 25 * 7);
    fx.server().trail().foldCounts();
    assertThat(EventCountsCheck.disagreements(fx.jdbcUrl())).as("folded").isEmpty();
    long values = Superuser.number(fx.jdbcUrl(),
        "SELECT count(*) FROM (SELECT DISTINCT dimension, value FROM audit_event_counts) v");
    assertThat(EventCountsCheck.rows(fx.jdbcUrl())).as("one row per value once folded").isEqualTo(values);
  }

  private static int foldUntilDone(List<Future<?>> writing) {
    int folds = 0;
    while (!writing.stream().allMatch(Future::isDone)) {
      fx.server().trail().foldCounts();
      folds++;
    }
    return folds;
  }

  private static AuditEvent event(String correlationId, String category, String type, EventOutcome outcome) {
    return AuditEvent.builder().eventId(UuidV7.generate()).eventTimestamp(Instant.now().truncatedTo(ChronoUnit.MILLIS))
        .eventType(type).eventCategory(category).eventAction("write").eventOutcome(outcome)
        .correlationId(correlationId).eventData(Map.of()).build();
  }
}
