package dev.auditflow.server;

import dev.auditflow.server.http.KubernautProblems;
import dev.auditflow.server.http.ProblemVocabulary;
import dev.auditflow.server.query.PageParameters;

/**
 * Whose defaults the service keeps where auditflow and the API it re-implements differ. One
 * switch ({@code serve --compat kubernaut}) rather than one flag per difference: a Kubernaut
 * operator should not have to learn which six settings make auditflow answer as Data Storage does.
 *
 * @param defaultMaxBatchSize most events in one batch unless {@code --max-batch-size} says otherwise
 * @param defaultQueryLimit the page size of {@code GET /api/v1/audit/events} without {@code limit}
 * @param versionRequired whether an event without {@code version} is refused (else it is {@code 1.0})
 */
public enum Compatibility {
  /** auditflow's own: supersets of Kubernaut's contract where that loses nothing. */
  AUDITFLOW(ServerConfig.DEFAULT_MAX_BATCH_SIZE, PageParameters.DEFAULT_LIMIT, false),
  /** Kubernaut Data Storage's: batches of at most 500, pages of 50, {@code version} required, its problem types. */
  KUBERNAUT(500, 50, true);

  private final int defaultMaxBatchSize;
  private final int defaultQueryLimit;
  private final boolean versionRequired;

  Compatibility(int defaultMaxBatchSize, int defaultQueryLimit, boolean versionRequired) {
    this.defaultMaxBatchSize = defaultMaxBatchSize;
    this.defaultQueryLimit = defaultQueryLimit;
    this.versionRequired = versionRequired;
  }

  public int defaultMaxBatchSize() {
    return defaultMaxBatchSize;
  }

  public int defaultQueryLimit() {
    return defaultQueryLimit;
  }

  public boolean versionRequired() {
    return versionRequired;
  }

  /** How refusals are worded. */
  public ProblemVocabulary vocabulary() {
    return this == KUBERNAUT ? new KubernautProblems() : ProblemVocabulary.AUDITFLOW;
  }
}
