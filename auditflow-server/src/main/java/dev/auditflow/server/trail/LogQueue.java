package dev.auditflow.server.trail;

import dev.auditflow.api.log.MerkleHashes;
import dev.auditflow.server.db.RoundTrip;
import java.sql.Types;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * The writers' side of the log: a request's events enter {@code log_batches} — one row, their keys
 * in arrays and their leaf hashes packed in one value — in the transaction that stores them, so an event is queued exactly
 * when it is committed, and the integrator, running after commit, is the only one who assigns
 * leaf indices (it gives the row its first one). The batch's number is drawn first, so that each
 * event's id row names its batch and place ({@code audit_event_ids.log_batch, log_position}):
 * that is how an event's leaf is found, with no per-event row in the log.
 */
final class LogQueue {
  private static final String NEXT_BATCH = "SELECT nextval('log_batches_seq_seq')";
  private static final String ENQUEUE =
      """
      INSERT INTO log_batches (seq, event_ids, event_dates, leaf_hashes_packed) OVERRIDING SYSTEM VALUE
      VALUES (?, ?::uuid[], ?::date[], ?)
      """;

  private final boolean enabled;

  public LogQueue(boolean enabled) {
    this.enabled = enabled;
  }

  /**
   * Adds to {@code trip} the drawing of the number of the batch the caller's events will be queued
   * in, which {@code batch} is given; nothing when the log is off (the batch stays null).
   */
  public void drawBatch(RoundTrip trip, LongConsumer batch) {
    if (enabled) {
      trip.query(NEXT_BATCH, unused -> {}, rows -> {
        rows.next();
        batch.accept(rows.getLong(1));
      });
    }
  }

  /**
   * Adds to {@code trip} the queueing of the leaves as batch {@code batch} ({@link #drawBatch}), in
   * the caller's open transaction; leaf k is the event at {@code log_position} k.
   */
  public void enqueue(RoundTrip trip, Long batch, List<QueuedLeaf> leaves) {
    if (batch == null || leaves.isEmpty()) {
      return;
    }
    int n = leaves.size();
    Object[] ids = new Object[n];
    Object[] dates = new Object[n];
    byte[] hashes = new byte[n * MerkleHashes.SIZE];
    for (int i = 0; i < n; i++) {
      QueuedLeaf leaf = leaves.get(i);
      ids[i] = leaf.eventId();
      dates[i] = leaf.eventDate().toString();
      System.arraycopy(leaf.leafHash(), 0, hashes, i * MerkleHashes.SIZE, MerkleHashes.SIZE);
    }
    trip.update(ENQUEUE, p -> p.value(batch, Types.BIGINT).array("uuid", ids).array("text", dates).bytes(hashes));
  }
}
