package dev.auditflow.server;

/** What a request names does not exist (a correlation without events, a hold not placed): a 404 at the edge. */
public final class NotFoundException extends RuntimeException {
  public NotFoundException(String message) {
    super(message, null, false, false);
  }
}
