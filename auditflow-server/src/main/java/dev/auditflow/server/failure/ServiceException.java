package dev.auditflow.server.failure;

import dev.auditflow.api.Problem;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A failure a service or a store signals in its own terms, carrying all the HTTP edge needs to
 * answer it: the problem, the finer reason another vocabulary may word differently, whether and
 * when to retry, extra headers, whether an operator should see it in the log. The edge maps this
 * one type and so imports no feature.
 */
public abstract class ServiceException extends RuntimeException {
  protected ServiceException(String message, Throwable cause) {
    // A refusal's stack says nothing an operator needs; an infrastructure failure keeps its cause's.
    super(message, cause, false, cause != null);
  }

  /**
   * What the edge knows of the request a failure is answered in.
   *
   * @param storing whether the request asked to store something (a detail may then say whether
   *     anything was stored)
   * @param retryAfter the server's configured delay for failures that pass
   */
  public record Answering(boolean storing, Duration retryAfter) {}

  /** The problem the caller is answered with. */
  public abstract Problem problem(Answering request);

  /** The finer reason, or null. */
  public ProblemReason reason() {
    return null;
  }

  /**
   * How long the caller should wait before trying again ({@code Retry-After}); empty when trying
   * again will not help.
   */
  public Optional<Duration> retryAfter(Answering request) {
    return Optional.empty();
  }

  /** Headers the answer carries besides {@code Retry-After}. */
  public Map<String, String> headers() {
    return Map.of();
  }

  /**
   * What the log calls this failure when an operator should see it (an infrastructure failure),
   * or null when it is the caller's business only.
   */
  public String operatorEvent() {
    return null;
  }
}
