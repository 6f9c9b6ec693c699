package dev.auditflow.server.trail;

/** The stored log is not the one this instance signed: someone rewrote it in the database. */
public final class LogTamperedException extends RuntimeException {
  public LogTamperedException(String message) {
    super(message);
  }
}
