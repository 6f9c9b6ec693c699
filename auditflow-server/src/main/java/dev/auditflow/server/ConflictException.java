package dev.auditflow.server;

/** A request conflicts with the current state (a hold already placed, a purge already running): a 409 at the edge. */
public final class ConflictException extends RuntimeException {
  public ConflictException(String message) {
    super(message, null, false, false);
  }
}
