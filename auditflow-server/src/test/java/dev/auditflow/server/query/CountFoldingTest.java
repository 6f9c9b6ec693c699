package dev.auditflow.server.query;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.auditflow.server.testing.FakeServerRuntime;
import dev.auditflow.server.testing.LogLines;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The background fold on fake time: every five seconds, whatever the last one met, an outage logged once. */
class CountFoldingTest {
  private static final Instant START = Instant.parse("2026-12-08T02:00:00Z");

  @Test
  void foldsEveryIntervalAndLogsAnOutageOnceAndItsEnd() throws Exception {
    FakeServerRuntime runtime = new FakeServerRuntime(START);
    List<Instant> ran = new ArrayList<>();
    try (LogLines logs = new LogLines(CountFolding.class);
        CountFolding folding = new CountFolding(() -> {
          ran.add(runtime.now());
          if (ran.size() == 2 || ran.size() == 3) {
            throw new IllegalStateException("the database is unavailable");
          }
          return 12;
        }, runtime)) {
      runtime.advance(CountFolding.EVERY.minusMillis(1));
      assertThat(ran).as("nothing before the first interval").isEmpty();
      runtime.advance(CountFolding.EVERY.multipliedBy(4));
      assertThat(ran).containsExactly(START.plus(CountFolding.EVERY), START.plus(CountFolding.EVERY.multipliedBy(2)),
          START.plus(CountFolding.EVERY.multipliedBy(3)), START.plus(CountFolding.EVERY.multipliedBy(4)));
      assertThat(logs.at(Level.WARN)).as("two failed folds, one outage").singleElement().asString()
          .contains("the database is unavailable");
      assertThat(logs.at(Level.INFO)).containsExactly("folding the totals' counts works again");
      folding.close();
      runtime.advance(CountFolding.EVERY.multipliedBy(3));
      assertThat(ran).as("closed: no more folds").hasSize(4);
    }
  }
}
