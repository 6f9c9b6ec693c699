package dev.auditflow.server.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.auditflow.server.testing.FakeServerRuntime;
import dev.auditflow.server.testing.LogLines;
import dev.auditflow.server.trail.TransparencyLog;
import dev.auditflow.server.trail.LogTamperedException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The integrator's cadence, on fake time: at once through a backlog, an interval when idle, and through an outage. */
class LogScheduleTest {
  private static final Instant START = Instant.parse("2026-01-31T12:00:00Z");
  private static final LogSettings SETTINGS = new LogSettings(true, Duration.ofMillis(200), 100);

  private final FakeServerRuntime runtime = new FakeServerRuntime(START);
  /** What each round does, in turn; when empty, an idle round. */
  private final Deque<Supplier<TransparencyLog.Round>> script = new ArrayDeque<>();

  private LogSchedule started() {
    LogSchedule schedule = new LogSchedule(
        () -> script.isEmpty() ? new TransparencyLog.Round(0, 7, false) : script.poll().get(), SETTINGS);
    schedule.start(runtime);
    return schedule;
  }

  private static Supplier<TransparencyLog.Round> integrated(long events) {
    return () -> new TransparencyLog.Round(events, 7, false);
  }

  private static Supplier<TransparencyLog.Round> failing(RuntimeException e) {
    return () -> {
      throw e;
    };
  }

  @Test
  void aFullRoundGoesAgainAtOnceAndAnIdleOneWaitsTheInterval() throws Exception {
    script.add(integrated(100));
    script.add(integrated(100));
    script.add(integrated(40));
    started();
    runtime.runDue();
    assertThat(runtime.runs()).as("two full rounds and the one that emptied the backlog, all at once")
        .containsExactly("log-integrator@" + START, "log-integrator@" + START, "log-integrator@" + START);
    assertThat(runtime.nextRunOf("log-integrator")).isEqualTo(START.plusMillis(200));
    runtime.advance(Duration.ofSeconds(1));
    assertThat(runtime.runs()).hasSize(3 + 5);
  }

  @Test
  void anOutageIsLoggedOnceRetriedEveryIntervalAndItsEndSaid() throws Exception {
    for (int i = 0; i < 10; i++) {
      script.add(failing(new IllegalStateException("connection refused")));
    }
    script.add(integrated(3));
    try (LogLines logs = new LogLines(LogSchedule.class)) {
      started();
      runtime.advance(Duration.ofMillis(1_900));
      assertThat(runtime.runs()).as("every 200 ms through the outage").hasSize(10);
      assertThat(logs.at(Level.WARN)).hasSize(1).first().asString().contains("connection refused");
      runtime.advance(Duration.ofMillis(100));
      assertThat(logs.at(Level.INFO)).anySatisfy(m -> assertThat(m).contains("works again tree_size=7"));
    }
  }

  @Test
  void aRefusedForgeryIsAnErrorOnceAndTheScheduleGoesOn() throws Exception {
    script.add(failing(new LogTamperedException("leaf 3 was rewritten")));
    script.add(failing(new LogTamperedException("leaf 3 was rewritten")));
    try (LogLines logs = new LogLines(LogSchedule.class)) {
      started();
      runtime.advance(Duration.ofMillis(400));
      assertThat(logs.at(Level.ERROR)).hasSize(1).first().asString().contains("leaf 3 was rewritten");
      assertThat(runtime.runs()).hasSize(3);
    }
  }

  @Test
  void closedItRunsNoMore() throws Exception {
    LogSchedule schedule = started();
    runtime.runDue();
    schedule.close();
    runtime.advance(Duration.ofSeconds(5));
    assertThat(runtime.runs()).hasSize(1);
  }
}
