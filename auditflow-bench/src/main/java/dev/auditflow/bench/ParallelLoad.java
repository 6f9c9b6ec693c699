package dev.auditflow.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/** Loads events {@code [0, events)} in batches from four sender threads, each taking the next batch free. */
final class ParallelLoad {
  private static final int SENDERS = 4;

  /** Sends one batch: events {@code [from, to)}. */
  @FunctionalInterface
  interface BatchSender {
    void send(int from, int to) throws Exception;
  }

  private ParallelLoad() {}

  static void run(int events, int batch, BatchSender sender) throws Exception {
    AtomicInteger next = new AtomicInteger();
    ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < SENDERS; t++) {
        done.add(senders.submit(() -> {
          for (int start = next.getAndAdd(batch); start < events; start = next.getAndAdd(batch)) {
            sender.send(start, Math.min(events, start + batch));
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      senders.shutdown();
    }
  }
}
