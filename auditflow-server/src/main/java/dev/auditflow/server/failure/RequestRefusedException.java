package dev.auditflow.server.failure;

import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;
import dev.auditflow.api.Violation;
import java.util.List;

/**
 * A request the service refuses as it stands — invalid, malformed, too large — with the RFC 7807
 * problem to answer it with. Routes throw it while parsing, services while deciding.
 */
public final class RequestRefusedException extends ServiceException {
  private final transient Problem problem;
  private final ProblemReason reason;

  public RequestRefusedException(Problem problem) {
    this(problem, null);
  }

  private RequestRefusedException(Problem problem, ProblemReason reason) {
    super(problem.toString(), null);
    this.problem = problem;
    this.reason = reason;
  }

  public static RequestRefusedException of(ProblemType type, String detail) {
    return new RequestRefusedException(Problem.of(type, detail));
  }

  public static RequestRefusedException validation(String detail, List<Violation> violations) {
    return new RequestRefusedException(Problem.validation(detail, violations));
  }

  /** The same refusal, with the finer reason another vocabulary may word differently. */
  public RequestRefusedException because(ProblemReason why) {
    return new RequestRefusedException(problem, why);
  }

  /** The problem, whatever the request. */
  public Problem problem() {
    return problem;
  }

  @Override
  public Problem problem(Answering request) {
    return problem;
  }

  @Override
  public ProblemReason reason() {
    return reason;
  }
}
