package dev.auditflow.client;

/**
 * The server's acknowledgement of a batch.
 *
 * @param created events newly stored
 * @param duplicates events already stored before (a retry of an earlier attempt that did reach
 *     the server): acknowledged all the same
 * @param queued true when the server parked the batch in its dead-letter queue (HTTP 202) to be
 *     written to the database later; durable, so acknowledged
 */
public record BatchAck(int created, int duplicates, boolean queued) {}
