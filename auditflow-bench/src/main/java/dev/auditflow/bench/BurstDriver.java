package dev.auditflow.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs {@code producers} threads that each call {@code emit} {@code events} times, all starting
 * together, and waits for them. One JMH invocation = one burst; the pipeline's own threads do
 * the delivering.
 */
final class BurstDriver implements AutoCloseable {
  private final ExecutorService pool;
  private final int producers;

  BurstDriver(int producers) {
    this.producers = producers;
    this.pool = Executors.newFixedThreadPool(producers);
  }

  void burst(int events, Runnable emit) throws Exception {
    CyclicBarrier start = new CyclicBarrier(producers);
    List<Future<?>> done = new ArrayList<>(producers);
    for (int p = 0; p < producers; p++) {
      done.add(pool.submit(() -> {
        try {
          start.await();
        } catch (InterruptedException | BrokenBarrierException e) {
          throw new IllegalStateException(e);
        }
        for (int i = 0; i < events; i++) {
          emit.run();
        }
        return null;
      }));
    }
    for (Future<?> f : done) {
      f.get();
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
