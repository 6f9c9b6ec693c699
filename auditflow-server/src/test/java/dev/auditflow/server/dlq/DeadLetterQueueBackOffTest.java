package dev.auditflow.server.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.server.testing.FakeServerRuntime;
import dev.auditflow.server.testing.LogLines;
import dev.auditflow.server.testing.RedisServerProcess;
import dev.auditflow.server.testing.TestRedis;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The DLQ's waits on fake time, against a real Redis (or a real refused port): the connector's
 * doubling back-off, and the replay's second between rounds while it cannot proceed.
 */
class DeadLetterQueueBackOffTest {
  private static final Instant START = Instant.parse("2026-01-31T12:00:00Z");
  private static final Pattern RETRY_IN = Pattern.compile("retry_in_ms=(\\d+)");

  private final FakeServerRuntime runtime = new FakeServerRuntime(START);

  private static String unreachableRedis() throws Exception {
    return "redis://127.0.0.1:" + RedisServerProcess.freePort();
  }

  private List<String> replayRuns() {
    return runtime.runs().stream().filter(r -> r.startsWith("dlq-replay@")).toList();
  }

  @Test
  void aRedisThatCannotBeReachedIsTriedAgainAfterADoublingWaitUpToThirtySeconds() throws Exception {
    try (LogLines logs = new LogLines(RedisConnector.class);
        DeadLetterQueue queue = DeadLetterQueue.start(unreachableRedis(), TestRedis.uniqueKey("backoff"),
            Duration.ofSeconds(1), runtime)) {
      runtime.advance(Duration.ofSeconds(92));
      List<Long> waits = logs.at(Level.WARN).stream().map(RETRY_IN::matcher).filter(Matcher::find)
          .map(m -> Long.parseLong(m.group(1))).toList();
      assertThat(waits).containsExactly(500L, 1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 30_000L, 30_000L, 30_000L);
      assertThat(runtime.runs()).as("each attempt when its wait is over").containsExactly(
          "dlq-connect@" + START, "dlq-connect@" + START.plusMillis(500), "dlq-connect@" + START.plusMillis(1_500),
          "dlq-connect@" + START.plusMillis(3_500), "dlq-connect@" + START.plusMillis(7_500),
          "dlq-connect@" + START.plusMillis(15_500), "dlq-connect@" + START.plusMillis(31_500),
          "dlq-connect@" + START.plusMillis(61_500), "dlq-connect@" + START.plusMillis(91_500));
    }
  }

  @Test
  void theReplayTriesAgainEverySecondWhileRedisIsUnreachable() throws Exception {
    try (DeadLetterQueue queue = DeadLetterQueue.start(unreachableRedis(), TestRedis.uniqueKey("backoff"),
            Duration.ofSeconds(1), runtime);
        ReplayWorker replay = new ReplayWorker(queue, null, () -> true, 5, new SimpleMeterRegistry())) {
      replay.start(runtime);
      runtime.advance(Duration.ofMillis(3_500));
      assertThat(replayRuns()).containsExactly("dlq-replay@" + START, "dlq-replay@" + START.plusSeconds(1),
          "dlq-replay@" + START.plusSeconds(2), "dlq-replay@" + START.plusSeconds(3));
    }
  }

  @Test
  void whileTheDatabaseIsDownTheReplayReadsNothingAndTriesAgainEverySecond() throws Exception {
    // The writer is never reached while the database is down: that is the rule under test.
    try (DeadLetterQueue queue = DeadLetterQueue.start(TestRedis.url(), TestRedis.uniqueKey("backoff"),
            Duration.ofSeconds(2), runtime);
        ReplayWorker replay = new ReplayWorker(queue, null, () -> false, 5, new SimpleMeterRegistry())) {
      runtime.runDue();
      assertThat(queue.isReachable()).as("connected on the first attempt").isTrue();
      queue.append(List.of(event()), "writer", 0);
      replay.start(runtime);
      runtime.advance(Duration.ofMillis(2_500));
      assertThat(replayRuns()).containsExactly("dlq-replay@" + START, "dlq-replay@" + START.plusSeconds(1),
          "dlq-replay@" + START.plusSeconds(2));
      assertThat(queue.depth()).as("the entry waits in the queue").isEqualTo(1);
    }
  }

  private static AuditEvent event() {
    return AuditEvent.builder().eventType("test.event.emitted").eventTimestamp(START).eventCategory("test")
        .eventAction("emit").eventOutcome(EventOutcome.SUCCESS).correlationId("backoff-1").build();
  }
}
