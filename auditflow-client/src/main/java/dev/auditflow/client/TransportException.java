package dev.auditflow.client;

import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;
import java.time.Duration;
import java.util.Optional;

/**
 * One delivery attempt failed. Two questions are answered separately:
 *
 * <ul>
 *   <li>{@link #retryable()}: could another attempt succeed? Network errors, timeouts, HTTP 408,
 *       429, 5xx, and 401/403 (credentials may be rotating). Other 4xx are permanent.
 *   <li>{@link #mayHaveBeenStored()}: could this attempt have stored the events even though it
 *       failed? Only when the request may have reached the server and no definitive answer came
 *       back: a timeout or broken connection after sending, or a 5xx other than auditflow's own
 *       {@code 503 service-unavailable} (which promises that nothing was written). A refused
 *       connection, a 4xx or that 503 are definitive: nothing was stored.
 * </ul>
 */
public final class TransportException extends Exception {
  private final boolean retryable;
  private final boolean mayHaveBeenStored;
  private final int status;
  private final transient Problem problem;
  private final Duration retryAfter;

  private TransportException(String message, Throwable cause, boolean retryable, boolean mayHaveBeenStored, int status,
      Problem problem, Duration retryAfter) {
    super(message, cause);
    this.retryable = retryable;
    this.mayHaveBeenStored = mayHaveBeenStored;
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }

  /**
   * The request never reached the server (connection refused, connect timeout, unknown host):
   * retryable, and certainly nothing was stored.
   */
  public static TransportException notSent(String message, Throwable cause) {
    return new TransportException(message, cause, true, false, 0, null, null);
  }

  /**
   * No answer after the request may have been sent (read timeout, reset, closed connection):
   * retryable, and the events may have been stored.
   */
  public static TransportException noAnswer(String message, Throwable cause) {
    return new TransportException(message, cause, true, true, 0, null, null);
  }

  /** An HTTP error answer, classified by its status (and, for 503, by auditflow's problem type). */
  public static TransportException http(int status, Problem problem, Duration retryAfter) {
    String message = "HTTP " + status + (problem == null ? "" : " " + problem);
    return new TransportException(message, null, isRetryableStatus(status), mayHaveBeenStored(status, problem), status,
        problem, retryAfter);
  }

  /** Whether another attempt could succeed: timeouts, throttling, credentials that may be rotating (401, 403) and server errors. */
  public static boolean isRetryableStatus(int status) {
    return status == 408 || status == 429 || status == 401 || status == 403 || status >= 500;
  }

  /** 4xx: refused before anything was written. 5xx: unknown, unless auditflow says nothing was written. */
  static boolean mayHaveBeenStored(int status, Problem problem) {
    if (status < 500) {
      return false;
    }
    return !(status == 503 && problem != null && ProblemType.SERVICE_UNAVAILABLE.uri().equals(problem.type()));
  }

  public boolean retryable() {
    return retryable;
  }

  /** True when this attempt may have stored the events although it failed. */
  public boolean mayHaveBeenStored() {
    return mayHaveBeenStored;
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
