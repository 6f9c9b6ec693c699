package dev.auditflow.server.failure;

/**
 * Why a request was refused, finer than its problem type, where another vocabulary tells the cases
 * apart ({@code http.ProblemVocabulary}): Kubernaut answers an empty batch and a batch that is not an
 * array with different types, though both are auditflow's validation errors.
 */
public enum ProblemReason {
  /** A batch body that is JSON but no array. */
  NOT_AN_ARRAY,
  /** A batch of no events. */
  EMPTY_BATCH,
  /** A batch of more events than the limit. */
  BATCH_TOO_LARGE,
  /** A request that must name a correlation id and does not. */
  MISSING_CORRELATION_ID,
  /** A correlation id that is too long or otherwise unusable. */
  INVALID_CORRELATION_ID,
  /** A legal hold placed without a reason. */
  MISSING_REASON,
  /** A legal hold released without a reason. */
  MISSING_RELEASE_REASON,
  /** An export asking for more events than one page may hold. */
  EXPORT_LIMIT_EXCEEDED
}
