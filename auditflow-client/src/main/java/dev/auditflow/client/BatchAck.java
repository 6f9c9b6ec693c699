package dev.auditflow.client;

/**
 * The server's acknowledgement of a batch.
 *
 * @param created events newly stored
 * @param duplicates events already stored before (a retry of an earlier attempt that did reach
 *     the server): acknowledged all the same
 * @param queued true when the server did not store the batch yet but holds it durably, to be
 *     written to the database later: parked in its dead-letter queue, or accepted into Kafka
 *     (docs/SCALE.md; then {@code created} and {@code duplicates} are unknown, 0); acknowledged all the same
 */
public record BatchAck(int created, int duplicates, boolean queued) {}
