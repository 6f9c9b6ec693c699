package dev.auditflow.server.completeness;

import dev.auditflow.server.runtime.ServerRuntime;
import dev.auditflow.server.trail.ProducerEpochAccount;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks for unaccounted loss in the background: every {@code interval}, the epochs seen within the
 * last {@code window}; numbers in gaps older than the grace period are a gauge, and each such gap
 * is logged at WARN once (per process).
 */
public final class CompletenessWatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CompletenessWatch.class);
  /** Gaps already logged, so a gap is one line, not one a minute; bounded, oldest forgotten first. */
  private static final int REMEMBERED = 10_000;

  private final Completeness completeness;
  private final Duration window;
  private final AtomicLong unaccountedNumbers = new AtomicLong();
  private final AtomicLong unaccountedEpochs = new AtomicLong();
  private final Set<String> logged = new LinkedHashSet<>();
  private final ServerRuntime.Loop loop;

  public CompletenessWatch(Completeness completeness, Duration interval, Duration window, ServerRuntime runtime,
      MeterRegistry registry) {
    this.completeness = completeness;
    this.window = window;
    registry.gauge("auditflow.completeness.unaccounted.numbers", unaccountedNumbers, AtomicLong::get);
    registry.gauge("auditflow.completeness.unaccounted.epochs", unaccountedEpochs, AtomicLong::get);
    this.loop = runtime.loop("completeness-watch", interval, () -> {
      check();
      return interval;
    });
  }

  /** One look. */
  void check() {
    try {
      List<Completeness.EpochReport> reports = completeness.epochs(
          completeness.now().minus(window), null, Completeness.Selection.WITH_GAPS,
          Completeness.MAX_SCANNED);
      long numbers = 0;
      long epochs = 0;
      for (Completeness.EpochReport r : reports) {
        if (r.unaccounted().isEmpty()) {
          continue;
        }
        epochs++;
        for (ProducerEpochAccount.Gap g : r.unaccounted()) {
          numbers += g.count();
          String key = r.account().producerId() + " " + r.account().epoch() + " " + g.first() + "-" + g.last();
          if (logged.add(key)) {
            log.warn("unaccounted loss producer_id={} epoch={} seq={}..{} count={} first_seen={} state={}",
                r.account().producerId(), r.account().epoch(), g.first(), g.last(), g.count(), g.firstSeen(),
                r.state().wireName());
            if (logged.size() > REMEMBERED) {
              logged.remove(logged.iterator().next());
            }
          }
        }
      }
      unaccountedNumbers.set(numbers);
      unaccountedEpochs.set(epochs);
    } catch (RuntimeException e) {
      log.warn("completeness check failed; next in a while error=\"{}\"", e.getMessage());
    }
  }

  @Override
  public void close() {
    loop.close();
  }
}
