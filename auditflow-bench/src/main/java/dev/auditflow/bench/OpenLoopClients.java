package dev.auditflow.bench;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import dev.auditflow.client.AuditStore;
import dev.auditflow.client.DeliveryHandle;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import org.HdrHistogram.Histogram;

/**
 * Open-loop load on one client pipeline: producers on a timer offer a fixed rate for a fixed time,
 * whether or not the pipeline keeps up (a closed loop would let a slow pipeline slow its own load).
 * Each event is {@link ClientPipelines}' event, stamped with its <em>scheduled</em> time; the
 * counting sink at the end of the pipeline reads that time back from the event (a field each
 * pipeline carries anyway) and times the event from its schedule to its arrival, so a producer
 * held up by the pipeline shows in the latency (no coordinated omission).
 *
 * <p>Per run it reports, over the measured window (after a warm-up at the same rate): the fraction
 * of offered events delivered, schedule → sink p50/p99/max, how late the producers were against
 * their schedule, and — for the whole process, every thread — CPU time and bytes allocated per
 * delivered event. Pipeline {@code none} hands the number straight to the same sink without
 * building anything: the harness's own cost (pacing, timing, GC of the harness), to read the
 * others against; {@code auditflow-unnumbered} is the client with producer sequences off (what
 * numbering every event costs).
 *
 * <p>One process is one fork of one pipeline at one rate, so no JIT or heap state carries over.
 *
 * <pre>java -cp benchmarks.jar dev.auditflow.bench.OpenLoopClients auditflow|auditflow-unnumbered|otel|none DEFAULTS|EQUAL
 *     events-per-second [seconds=30] [warm-up seconds=5] [producers=2]</pre>
 */
public final class OpenLoopClients {
  private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  /** One pipeline under load. */
  private interface Pipeline {
    /**
     * Builds and hands over event {@code n}, stamped {@code at}; false if the pipeline refused it
     * at once.
     */
    boolean emit(long n, Instant at);

    /** Flushes what it holds to the sink and stops. */
    void close();
  }

  public static void main(String[] args) throws Exception {
    String name = args[0];
    ClientPipelines.Sizing sizing = ClientPipelines.Sizing.valueOf(args[1]);
    long rate = Long.parseLong(args[2]);
    int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 30;
    int warmUp = args.length > 4 ? Integer.parseInt(args[4]) : 5;
    int producers = args.length > 5 ? Integer.parseInt(args[5]) : 2;

    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
    long measureFrom = start + TimeUnit.SECONDS.toNanos(warmUp);
    long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
    Clock clock = Clock.now();
    Sink sink = new Sink(clock, measureFrom);
    Pipeline pipeline = pipeline(name, sizing, sink);

    CountDownLatch done = new CountDownLatch(producers);
    CountDownLatch release = new CountDownLatch(1);
    List<Producer> load = new ArrayList<>();
    for (int k = 0; k < producers; k++) {
      load.add(new Producer(pipeline, clock, start, measureFrom, end, 1e9 / rate, k, producers, done, release));
    }
    load.forEach(Thread::start);
    LockSupport.parkNanos(measureFrom - System.nanoTime());
    Usage before = Usage.now();
    done.await();
    Usage loaded = Usage.now(); // producers still alive: what they used counts
    release.countDown();
    for (Producer p : load) {
      p.join();
    }
    pipeline.close();
    long cpu = Usage.processCpuNanos() - before.cpuNanos();

    long offered = load.stream().mapToLong(p -> p.offered).sum();
    long refused = load.stream().mapToLong(p -> p.refused).sum();
    Histogram lag = new Histogram(3);
    load.forEach(p -> lag.add(p.lag));
    long delivered = sink.delivered();
    Histogram latency = sink.latency();
    System.out.printf("%s %s %d/s x %d s: offered %d delivered %d (%.2f %%) refused %d | schedule->sink p50 %.2f ms "
            + "p99 %.2f ms max %.1f ms | producer lag p99 %.2f ms max %.1f ms | cpu %.0f ns/event, alloc %.0f B/event "
            + "(cpu %.2f s of %d s)%n",
        name, sizing, rate, seconds, offered, delivered, 100.0 * delivered / offered, refused,
        latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(99) / 1e3, latency.getMaxValue() / 1e3,
        lag.getValueAtPercentile(99) / 1e3, lag.getMaxValue() / 1e3, (double) cpu / delivered,
        (double) before.allocatedUntil(loaded) / delivered, cpu / 1e9, seconds);
    StringBuilder byThread = new StringBuilder("  cpu ns/event by thread:");
    long threadsCpu = 0;
    for (Map.Entry<String, Long> group : before.cpuUntil(loaded).entrySet()) {
      byThread.append(String.format(" %s %.0f,", group.getKey(), (double) group.getValue() / delivered));
      threadsCpu += group.getValue();
    }
    System.out.println(byThread.append(String.format(" rest (GC, JIT, flush at close) %.0f",
        (double) (cpu - threadsCpu) / delivered)));
  }

  private static Pipeline pipeline(String name, ClientPipelines.Sizing sizing, Sink sink) {
    switch (name) {
      case "auditflow", "auditflow-unnumbered" -> {
        AuditStore store = sizing.auditflow(CountingSinks.transport(sink), name.equals("auditflow"));
        return new Pipeline() {
          @Override
          public boolean emit(long n, Instant at) {
            DeliveryHandle handle = store.store(ClientPipelines.auditflowEvent(n, at));
            return !(handle.isDone() && !handle.isAcknowledged());
          }

          @Override
          public void close() {
            store.close(Duration.ofSeconds(60));
          }
        };
      }
      case "otel" -> {
        SdkLoggerProvider provider = sizing.otel(CountingSinks.exporter(sink));
        Logger logger = provider.get("bench");
        return new Pipeline() {
          @Override
          public boolean emit(long n, Instant at) {
            ClientPipelines.emitOtel(logger, n, at);
            return true; // OTel does not say: its drops are offered − delivered
          }

          @Override
          public void close() {
            provider.shutdown().join(60, TimeUnit.SECONDS);
          }
        };
      }
      case "none" -> {
        return new Pipeline() {
          @Override
          public boolean emit(long n, Instant at) {
            sink.accept(at.getEpochSecond() * 1_000_000_000L + at.getNano()); // what the other sinks read
            return true;
          }

          @Override
          public void close() {}
        };
      }
      default -> throw new IllegalArgumentException(
          "pipeline: auditflow, auditflow-unnumbered, otel or none, not " + name);
    }
  }

  /** Offers every {@code producers}-th event of the schedule, each at its time, never early. */
  private static final class Producer extends Thread {
    private final Pipeline pipeline;
    private final Clock clock;
    private final long start;
    private final long measureFrom;
    private final long end;
    private final double period;
    private final int first;
    private final int step;
    private final CountDownLatch done;
    private final CountDownLatch release;
    final Histogram lag = new Histogram(3);
    long offered;
    long refused;

    Producer(Pipeline pipeline, Clock clock, long start, long measureFrom, long end, double period, int first, int step,
        CountDownLatch done, CountDownLatch release) {
      super("producer-" + first);
      this.pipeline = pipeline;
      this.clock = clock;
      this.start = start;
      this.measureFrom = measureFrom;
      this.end = end;
      this.period = period;
      this.first = first;
      this.step = step;
      this.done = done;
      this.release = release;
    }

    @Override
    public void run() {
      offer();
      done.countDown();
      try {
        release.await(); // alive until what it allocated has been read
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private void offer() {
      for (long i = first; ; i += step) {
        long scheduled = start + (long) (i * period);
        if (scheduled >= end) {
          return;
        }
        long early = scheduled - System.nanoTime();
        if (early > 0) {
          // A timer, not a spin, with a 1 ms tick: waking for every event at 100 000 events/s would
          // cost the harness more CPU than either pipeline. What is due when it wakes goes at once.
          LockSupport.parkNanos(Math.max(early, TICK_NANOS));
        }
        Instant at = clock.at(scheduled);
        long stamped = clock.nanoTimeOf(at); // what the sink will read back
        boolean taken = pipeline.emit(i, at);
        if (stamped >= measureFrom) {
          offered++;
          lag.recordValue(Math.max(0, System.nanoTime() - stamped) / 1_000);
          if (!taken) {
            refused++;
          }
        }
      }
    }
  }

  /** The end of every pipeline: counts and times the measured window's events by the time they carry. */
  private static final class Sink implements LongConsumer {
    private final Clock clock;
    private final long measureFrom;
    private final Histogram latency = new Histogram(3);
    private long delivered;

    Sink(Clock clock, long measureFrom) {
      this.clock = clock;
      this.measureFrom = measureFrom;
    }

    @Override
    public synchronized void accept(long epochNanos) {
      long scheduled = clock.nanoTimeOf(epochNanos);
      if (scheduled >= measureFrom) {
        delivered++;
        latency.recordValue(Math.max(0, System.nanoTime() - scheduled) / 1_000);
      }
    }

    synchronized long delivered() {
      return delivered;
    }

    synchronized Histogram latency() {
      return latency.copy();
    }
  }

  /**
   * {@code System.nanoTime()} as wall-clock instants and back, from one reading of both, to the
   * microsecond (what an event's time keeps on both pipelines), so a time survives the round trip.
   */
  private record Clock(long nanoTime, long epochNanos) {
    static Clock now() {
      Instant wall = Instant.now();
      return new Clock(System.nanoTime(), wall.getEpochSecond() * 1_000_000_000L + wall.getNano());
    }

    Instant at(long nanoTimeValue) {
      long epoch = epochNanos + nanoTimeValue - nanoTime;
      return Instant.ofEpochSecond(0, epoch - Math.floorMod(epoch, 1_000L));
    }

    long nanoTimeOf(Instant at) {
      return nanoTimeOf(at.getEpochSecond() * 1_000_000_000L + at.getNano());
    }

    long nanoTimeOf(long epochNanosValue) {
      return nanoTime + epochNanosValue - epochNanos;
    }
  }

  /**
   * The whole process's CPU time, and what each live Java thread has used and allocated so far.
   * Between two readings, a thread's share is summed over the threads alive at the second; a
   * thread that ended in between is left out rather than counted negative.
   */
  private record Usage(long cpuNanos, Map<Long, ThreadUse> threads) {
    private record ThreadUse(String group, long cpuNanos, long allocatedBytes) {}

    static long processCpuNanos() {
      return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static Usage now() {
      ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
      long[] ids = mx.getAllThreadIds();
      long[] cpu = mx.getThreadCpuTime(ids);
      long[] bytes = mx.getThreadAllocatedBytes(ids);
      ThreadInfo[] infos = mx.getThreadInfo(ids); // infos[i] is ids[i]'s, null once it ended
      Map<Long, ThreadUse> threads = new HashMap<>();
      for (int i = 0; i < ids.length; i++) {
        if (infos[i] != null && cpu[i] >= 0 && bytes[i] >= 0) {
          // Pool threads by their name without numbers: producer-N, auditflow-sender-N, …
          threads.put(ids[i], new ThreadUse(infos[i].getThreadName().replaceAll("\\d+", "N"), cpu[i], bytes[i]));
        }
      }
      return new Usage(processCpuNanos(), threads);
    }

    /** Bytes allocated from this reading to {@code later}. */
    long allocatedUntil(Usage later) {
      return later.threads.entrySet().stream().mapToLong(e -> e.getValue().allocatedBytes()
          - (threads.containsKey(e.getKey()) ? threads.get(e.getKey()).allocatedBytes() : 0)).sum();
    }

    /** CPU time from this reading to {@code later}, by thread group, largest first. */
    Map<String, Long> cpuUntil(Usage later) {
      Map<String, Long> byGroup = new HashMap<>();
      later.threads.forEach((id, use) -> byGroup.merge(use.group(),
          use.cpuNanos() - (threads.containsKey(id) ? threads.get(id).cpuNanos() : 0), Long::sum));
      Map<String, Long> sorted = new LinkedHashMap<>();
      byGroup.entrySet().stream().filter(e -> e.getValue() > 0)
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
          .forEachOrdered(e -> sorted.put(e.getKey(), e.getValue()));
      return sorted;
    }
  }
}
