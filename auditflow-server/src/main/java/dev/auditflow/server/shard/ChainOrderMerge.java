package dev.auditflow.server.shard;

import dev.auditflow.server.failure.UnavailableException;
import dev.auditflow.server.trail.AuditTrail;
import dev.auditflow.server.trail.EventFilter;
import dev.auditflow.server.trail.StoredEvent;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Chain order across shards: each shard streams its chains in {@code correlation_id} order (a
 * reader thread per shard, a couple of batches ahead), and they are merged here chain by chain —
 * a chain is on one shard, so it is taken whole from there — into the one order an export's
 * verifier checks. Memory stays bounded by a few batches per shard, whatever the export's size.
 */
final class ChainOrderMerge {
  /** How many batches a shard's reader may be ahead of the merge. */
  private static final int AHEAD = 2;

  /** What a reader hands over: a batch, the end, or why it stopped. */
  private sealed interface Item permits Batch, End, Failed {}

  private record Batch(List<StoredEvent> rows) implements Item {}

  private record End() implements Item {}

  private record Failed(RuntimeException failure) implements Item {}

  /** A shard's stream as the merge reads it: the batch at hand and where in it. */
  private static final class Source {
    final String shard;
    final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(AHEAD);
    List<StoredEvent> rows = List.of();
    int next;
    boolean ended;

    Source(String shard) {
      this.shard = shard;
    }

    /** The row at hand, taking the next batch when this one is used up; null at the end. */
    StoredEvent head() throws InterruptedIOException {
      while (!ended && next == rows.size()) {
        Item item;
        try {
          item = queue.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while merging shard " + shard + "'s chains");
        }
        if (item instanceof Batch batch) {
          rows = batch.rows();
          next = 0;
        } else if (item instanceof Failed failed) {
          throw failed.failure();
        } else {
          ended = true;
        }
      }
      return ended ? null : rows.get(next);
    }
  }

  private ChainOrderMerge() {}

  static void merge(Map<String, AuditTrail.Snapshot> shards, EventFilter filter, int batchSize,
      AuditTrail.Batches sink, ExecutorService threads) throws IOException {
    Map<String, Source> sources = new LinkedHashMap<>();
    List<Future<?>> readers = new ArrayList<>();
    for (Map.Entry<String, AuditTrail.Snapshot> shard : shards.entrySet()) {
      Source source = new Source(shard.getKey());
      sources.put(shard.getKey(), source);
      readers.add(threads.submit(() -> read(shard.getKey(), shard.getValue(), filter, batchSize, source.queue)));
    }
    try {
      List<StoredEvent> out = new ArrayList<>(batchSize);
      while (true) {
        Source first = null;
        for (Source source : sources.values()) {
          StoredEvent head = source.head();
          if (head != null && (first == null
              || head.event().correlationId().compareTo(first.head().event().correlationId()) < 0)) {
            first = source;
          }
        }
        if (first == null) {
          break;
        }
        String chain = first.head().event().correlationId();
        for (StoredEvent row = first.head(); row != null && row.event().correlationId().equals(chain);
            row = first.head()) {
          out.add(row);
          first.next++;
          if (out.size() == batchSize) {
            sink.accept(out);
            out.clear();
          }
        }
      }
      sink.accept(out);
    } finally {
      readers.forEach(reader -> reader.cancel(true));
    }
  }

  /** One shard's reader: its chains in order into {@code queue}, then the end — or why it stopped. */
  private static void read(String shard, AuditTrail.Snapshot snapshot, EventFilter filter, int batchSize,
      BlockingQueue<Item> queue) {
    Item last;
    try {
      snapshot.inChainOrder(filter, batchSize, batch -> {
        if (!batch.isEmpty()) {
          put(queue, new Batch(List.copyOf(batch)));
        }
      });
      last = new End();
    } catch (UnavailableException e) {
      last = new Failed(new ShardUnavailableException(shard, "exporting events", e, false));
    } catch (RuntimeException e) {
      last = new Failed(e);
    } catch (IOException e) {
      return; // interrupted: the merge is over
    }
    try {
      put(queue, last);
    } catch (InterruptedIOException e) {
      // the merge is over
    }
  }

  private static void put(BlockingQueue<Item> queue, Item item) throws InterruptedIOException {
    try {
      queue.put(item);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("the merge stopped");
    }
  }
}
