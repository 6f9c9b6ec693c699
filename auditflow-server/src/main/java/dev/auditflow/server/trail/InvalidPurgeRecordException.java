package dev.auditflow.server.trail;

/** A chain whose purge records cannot be trusted: not contiguous, or not signed by a trusted key. */
public final class InvalidPurgeRecordException extends Exception {
  InvalidPurgeRecordException(String message) {
    super(message, null, false, false);
  }
}
