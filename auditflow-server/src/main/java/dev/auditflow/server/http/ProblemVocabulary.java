package dev.auditflow.server.http;

import dev.auditflow.api.Problem;
import dev.auditflow.server.failure.ProblemReason;

/**
 * How refusals are worded. auditflow's own types by default; with {@code serve --compat kubernaut}
 * the types and titles of the API it stands in for ({@link KubernautProblems}), because operators'
 * runbooks and alerts match on them. Only the wording changes: what is refused, and why, is decided
 * before this.
 */
public interface ProblemVocabulary {
  /**
   * The problem as this vocabulary says it.
   *
   * @param reason the finer reason the refusal was raised with, or null
   * @param method the request's method
   * @param path the request's path (not its template: a 405 has none)
   */
  Problem word(Problem problem, ProblemReason reason, String method, String path);

  /** auditflow's own problem types: everything as raised. */
  ProblemVocabulary AUDITFLOW = (problem, reason, method, path) -> problem;
}
