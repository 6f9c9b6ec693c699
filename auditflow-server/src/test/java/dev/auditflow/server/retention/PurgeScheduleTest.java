package dev.auditflow.server.retention;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.auditflow.server.failure.ConflictException;
import dev.auditflow.server.testing.FakeServerRuntime;
import dev.auditflow.server.testing.LogLines;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The scheduled purge on fake time: first after one interval, then an interval after each run, whatever it met. */
class PurgeScheduleTest {
  private static final Instant START = Instant.parse("2026-01-31T12:00:00Z");
  private static final Duration HOUR = Duration.ofHours(1);

  @Test
  void runsEveryIntervalAndGoesOnAfterABusyOrAFailedRun() throws Exception {
    FakeServerRuntime runtime = new FakeServerRuntime(START);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<Instant> ran = new ArrayList<>();
    try (LogLines logs = new LogLines(PurgeSchedule.class);
        PurgeSchedule schedule = new PurgeSchedule(() -> {
          ran.add(runtime.now());
          switch (ran.size()) {
            case 2 -> throw new ConflictException("a purge is already running");
            case 3 -> throw new IllegalStateException("the database is unavailable");
            default -> { }
          }
        }, HOUR, runtime, registry)) {
      runtime.advance(HOUR.minusSeconds(1));
      assertThat(ran).as("nothing before the first interval has passed").isEmpty();
      runtime.advance(HOUR.multipliedBy(4));
      assertThat(ran).containsExactly(START.plus(HOUR), START.plus(HOUR.multipliedBy(2)),
          START.plus(HOUR.multipliedBy(3)), START.plus(HOUR.multipliedBy(4)));
      assertThat(logs.at(Level.INFO)).containsExactly("scheduled purge skipped: another purge is running");
      assertThat(logs.at(Level.WARN)).singleElement().asString().contains("the database is unavailable");
      assertThat(registry.get("auditflow.purge.failures").counter().count()).as("the failed run, not the busy one")
          .isEqualTo(1.0);
      schedule.close();
      runtime.advance(HOUR.multipliedBy(3));
      assertThat(ran).as("closed: no more runs").hasSize(4);
    }
  }
}
