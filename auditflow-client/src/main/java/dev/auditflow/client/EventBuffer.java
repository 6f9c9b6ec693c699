package dev.auditflow.client;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The bounded buffer between producers and the dispatcher, built so that producers do not
 * serialise on each other: admission is one compare-and-set on a word holding the number of
 * reserved slots (and a closed flag), and the event joins a lock-free FIFO queue. Only a producer
 * that must <em>wait</em> for space (overflow policy {@code BLOCK}) takes a lock, and only the
 * dispatcher, when it frees space while someone waits, takes it too.
 *
 * <p>A reserved slot stays counted until the dispatcher takes its event, so the count is exact for
 * admission, for {@code stats()} and for close (which waits until it is zero); an event briefly
 * between its reservation and its place in the queue is simply taken by the next dispatch.
 */
final class EventBuffer {
  /** Outcome of an attempt to reserve a slot. */
  enum Admission {
    ACCEPTED, FULL, CLOSED
  }

  private static final long CLOSED_BIT = 1L << 62;
  private static final long COUNT_MASK = CLOSED_BIT - 1;

  private final int capacity;
  /** {@link #CLOSED_BIT} | slots reserved and not yet taken. */
  private final AtomicLong state = new AtomicLong();
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final ReentrantLock spaceLock = new ReentrantLock();
  private final Condition space = spaceLock.newCondition();
  /** Producers waiting for space; the dispatcher signals only when there are any. */
  private volatile int waiting;

  EventBuffer(int capacity) {
    this.capacity = capacity;
  }

  /**
   * Reserves a slot for one event.
   *
   * @return the number of reserved slots including this one (≥ 1), or 0 when full, or -1 when closed
   */
  long reserve() {
    while (true) {
      long s = state.get();
      if ((s & CLOSED_BIT) != 0) {
        return -1;
      }
      long n = s & COUNT_MASK;
      if (n >= capacity) {
        return 0;
      }
      if (state.compareAndSet(s, s + 1)) {
        return n + 1;
      }
    }
  }

  /**
   * Reserves a slot even past the capacity: for the events a spool recovered, which were accepted
   * by an earlier process and must not be refused now.
   *
   * @return the number of reserved slots including this one
   */
  long reserveRecovered() {
    return (state.incrementAndGet() & COUNT_MASK);
  }

  /**
   * Waits up to {@code timeoutNanos} for a slot (the {@code BLOCK} policy's slow path).
   *
   * @return the reservation as {@link #reserve()} answers it; 0 if none came in time
   */
  long reserveWaiting(long timeoutNanos) throws InterruptedException {
    spaceLock.lock();
    try {
      waiting++;
      try {
        long remaining = timeoutNanos;
        while (true) {
          long r = reserve();
          if (r != 0 || remaining <= 0) {
            return r;
          }
          remaining = space.awaitNanos(remaining);
        }
      } finally {
        waiting--;
      }
    } finally {
      spaceLock.unlock();
    }
  }

  /** Places the event of a successful reservation at the tail. */
  void append(Pending pending) {
    queue.offer(pending);
  }

  /** The oldest event in the queue, or null. */
  Pending head() {
    return queue.peek();
  }

  /** Slots reserved and not yet taken: the events waiting, including any not yet in the queue. */
  int size() {
    return (int) (state.get() & COUNT_MASK);
  }

  boolean isClosed() {
    return (state.get() & CLOSED_BIT) != 0;
  }

  /** From now on every reservation answers closed; what is reserved is still taken and sent. */
  void close() {
    state.getAndUpdate(s -> s | CLOSED_BIT);
    wakeWaiters(Integer.MAX_VALUE);
  }

  /**
   * Takes up to {@code max} events from the head (dispatcher only) and frees their slots, waking
   * producers waiting for space.
   */
  List<Pending> take(int max) {
    List<Pending> taken = new ArrayList<>(Math.min(max, size()));
    Pending p;
    while (taken.size() < max && (p = queue.poll()) != null) {
      taken.add(p);
    }
    if (!taken.isEmpty()) {
      state.addAndGet(-taken.size());
      wakeWaiters(taken.size());
    }
    return taken;
  }

  /** Every event in the queue now, oldest first (for flush; the dispatcher's lock keeps take out). */
  void forEachQueued(Consumer<Pending> action) {
    queue.forEach(action);
  }

  /** Empties the queue (close giving up), returning what was in it. */
  List<Pending> drain() {
    return take(Integer.MAX_VALUE);
  }

  /**
   * Wakes as many waiting producers as slots were freed, not all of them: with 50 producers
   * blocked on a 100-slot buffer, waking all for 10 slots would have 40 wake, fail, and sleep again.
   */
  private void wakeWaiters(int freed) {
    if (waiting == 0) {
      return;
    }
    spaceLock.lock();
    try {
      for (int i = Math.min(waiting, freed); i > 0; i--) {
        space.signal();
      }
    } finally {
      spaceLock.unlock();
    }
  }

  /** True when this thread holds the buffer's lock (for the tests' "no logging under a lock"). */
  boolean isLockHeldByCurrentThread() {
    return spaceLock.isHeldByCurrentThread();
  }
}
