package dev.auditflow.server.trail;

import java.time.Duration;
import java.util.UUID;

/**
 * What one purge run did (or, for a dry run, would have done).
 *
 * @param eventsPurged events deleted, row by row or with their partition
 * @param chainsPurged chains that lost their oldest events
 * @param partitionsDropped month partitions dropped whole
 * @param heldSkipped expired events kept because their correlation is under a legal hold
 * @param complete false when the run stopped at its event budget with more left to purge
 */
public record PurgeReport(UUID purgeId, boolean dryRun, long eventsPurged, long chainsPurged, long partitionsDropped,
    long heldSkipped, boolean complete, Duration duration) {}
