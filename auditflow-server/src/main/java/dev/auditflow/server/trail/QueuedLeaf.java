package dev.auditflow.server.trail;

import java.time.LocalDate;
import java.util.UUID;

/** A stored event waiting for its leaf index: its key and the hash its leaf will have. */
public record QueuedLeaf(UUID eventId, LocalDate eventDate, byte[] leafHash) {}
