package dev.auditflow.client;

/**
 * What the dispatcher hands to a sender, with what the diagnostics need to explain its timing.
 *
 * @param queueDepthAfter events left in the buffer
 * @param oldestAgeNanos age of the batch's oldest event when it left
 * @param waitedForSenderNanos how long the batch was due while every sender was busy
 * @param lastDriftNanos how late the flush timer last woke past its deadline
 */
record Dispatch(Batch batch, int queueDepthAfter, long oldestAgeNanos, long waitedForSenderNanos,
    long lastDriftNanos) {}
