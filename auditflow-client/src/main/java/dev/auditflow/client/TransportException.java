package dev.auditflow.client;

import dev.auditflow.api.Problem;
import java.time.Duration;
import java.util.Optional;

/**
 * One delivery attempt failed. Retryable: network errors, timeouts, HTTP 408, 429, 5xx, and
 * 401/403 (credentials may be rotating). Everything else — other 4xx — is permanent: the server
 * will refuse the same batch again.
 */
public final class TransportException extends Exception {
  private final boolean retryable;
  private final int status;
  private final transient Problem problem;
  private final Duration retryAfter;

  private TransportException(String message, Throwable cause, boolean retryable, int status, Problem problem, Duration retryAfter) {
    super(message, cause);
    this.retryable = retryable;
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }

  /** A failure without an HTTP answer (connection refused, timeout, reset): always retryable. */
  public static TransportException network(String message, Throwable cause) {
    return new TransportException(message, cause, true, 0, null, null);
  }

  /** An HTTP error answer, classified by its status. */
  public static TransportException http(int status, Problem problem, Duration retryAfter) {
    String message = "HTTP " + status + (problem == null ? "" : " " + problem);
    return new TransportException(message, null, isRetryableStatus(status), status, problem, retryAfter);
  }

  /** The classification from DESIGN.md §4. */
  public static boolean isRetryableStatus(int status) {
    return status == 408 || status == 429 || status == 401 || status == 403 || status >= 500;
  }

  public boolean retryable() {
    return retryable;
  }

  /** The HTTP status, or 0 when there was no HTTP answer. */
  public int status() {
    return status;
  }

  public Optional<Problem> problem() {
    return Optional.ofNullable(problem);
  }

  /** The server's {@code Retry-After}, if it sent one. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
