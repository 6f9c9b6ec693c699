package dev.auditflow.server.failure;

/**
 * The service cannot start because of something its operator can fix on this machine — a file's
 * permissions, a port in use, a directory it cannot write. The message says what and how, in one
 * line; {@code serve} prints it without a stack trace.
 */
public final class ConfigurationException extends RuntimeException {
  public ConfigurationException(String message) {
    super(message, null, false, false);
  }

  public ConfigurationException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
