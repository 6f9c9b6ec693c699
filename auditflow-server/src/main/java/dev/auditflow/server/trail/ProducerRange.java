package dev.auditflow.server.trail;

import java.util.UUID;

/**
 * Events of one producer epoch numbered {@code first..last} (docs/COMPLETENESS.md): a gap's
 * neighbours. Served by an index on {@code (producer_epoch, producer_seq)}.
 */
public record ProducerRange(UUID epoch, long first, long last) {}
