package dev.auditflow.server.http;

import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;
import dev.auditflow.api.Violation;
import java.util.List;

/** A request the service refuses, with the RFC 7807 problem to answer it with. */
public final class ApiException extends RuntimeException {
  private final transient Problem problem;
  private final ProblemReason reason;

  public ApiException(Problem problem) {
    this(problem, null);
  }

  private ApiException(Problem problem, ProblemReason reason) {
    super(problem.toString(), null, false, false);
    this.problem = problem;
    this.reason = reason;
  }

  public static ApiException of(ProblemType type, String detail) {
    return new ApiException(Problem.of(type, detail));
  }

  public static ApiException validation(String detail, List<Violation> violations) {
    return new ApiException(Problem.validation(detail, violations));
  }

  /** The same refusal, with the finer reason another vocabulary may word differently. */
  public ApiException because(ProblemReason why) {
    return new ApiException(problem, why);
  }

  public Problem problem() {
    return problem;
  }

  /** The finer reason, or null. */
  public ProblemReason reason() {
    return reason;
  }
}
