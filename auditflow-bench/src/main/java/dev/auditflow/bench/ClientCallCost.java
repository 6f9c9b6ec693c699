package dev.auditflow.bench;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.EventValidator;
import dev.auditflow.api.ValidationRules;
import dev.auditflow.api.Violation;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Where one thread's {@code store()} call goes, in parts, on one thread: building {@link
 * ClientPipelines}' event, and validating it alone (what {@code store()} does before the event
 * enters the buffer). Read against {@link ThroughputBenchmark} at {@code -t 1}: the rest of a call
 * is the buffer's hand-over and what the client's own threads do.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class ClientCallCost {
  /**
   * Few enough that they stay in the core's cache, as an event {@code store()} validates does (it
   * was built just before): with 1 024 (~1 MB) each fork settled on its own share of cache misses,
   * and forks of one build differed by 1.7 ×.
   */
  private static final int EVENTS = 64;
  private final EventValidator validator = new EventValidator(ValidationRules.defaults());
  private AuditEvent[] built;
  private long n;

  @Setup
  public void build() {
    built = new AuditEvent[EVENTS];
    for (int i = 0; i < EVENTS; i++) {
      built[i] = ClientPipelines.auditflowEvent(i);
    }
  }

  @Benchmark
  public AuditEvent buildEvent() {
    return ClientPipelines.auditflowEvent(n++);
  }

  /** Validation alone, of events built beforehand (different ones in turn, each a new payload). */
  @Benchmark
  public List<Violation> validateEvent() {
    return validator.validate(built[(int) (n++ & (EVENTS - 1))]);
  }
}
