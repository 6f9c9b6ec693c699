package dev.auditflow.client;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link StoreRuntime} on real threads: a single dispatcher thread and a fixed pool of senders.
 * Work handed over after a shutdown is dropped, not thrown back: by then the store settles every
 * event itself (see {@code BufferedAuditStore#close}), and a producer must never see the
 * executor's {@link RejectedExecutionException}.
 */
final class ThreadRuntime implements StoreRuntime {
  private final ScheduledThreadPoolExecutor dispatcher;
  private final ExecutorService senders;

  ThreadRuntime(int senderThreads) {
    dispatcher = new ScheduledThreadPoolExecutor(1, daemons("auditflow-dispatcher"));
    dispatcher.setRemoveOnCancelPolicy(true); // a replaced flush timer must not linger until its deadline
    senders = Executors.newFixedThreadPool(senderThreads, daemons("auditflow-sender-"));
  }

  private static ThreadFactory daemons(String name) {
    AtomicInteger ids = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name.endsWith("-") ? name + ids.incrementAndGet() : name);
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public void dispatch(Runnable task) {
    try {
      dispatcher.execute(task);
    } catch (RejectedExecutionException shutDown) {
      // closed: nothing more to dispatch
    }
  }

  @Override
  public Cancellable schedule(Runnable task, long delayNanos) {
    try {
      ScheduledFuture<?> future = dispatcher.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
      return () -> future.cancel(false);
    } catch (RejectedExecutionException shutDown) {
      return () -> { };
    }
  }

  @Override
  public void send(Runnable request) {
    try {
      senders.execute(request);
    } catch (RejectedExecutionException shutDown) {
      // close is abandoning delivery; it settles the batch
    }
  }

  @Override
  public boolean shutdownNow(Duration grace) throws InterruptedException {
    dispatcher.shutdownNow();
    senders.shutdownNow();
    long graceMillis = grace.toMillis();
    return senders.awaitTermination(graceMillis, TimeUnit.MILLISECONDS)
        & dispatcher.awaitTermination(graceMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void shutdown() {
    dispatcher.shutdown();
    senders.shutdown();
  }
}
