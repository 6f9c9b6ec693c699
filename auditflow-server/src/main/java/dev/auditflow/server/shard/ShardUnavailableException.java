package dev.auditflow.server.shard;

import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;
import dev.auditflow.server.failure.UnavailableException;

/**
 * A shard the answer needs did not answer: the whole request fails, naming it. A count or a page
 * over the shards that did answer would look complete and be smaller than the truth; the trail never
 * gives one. Shards the request does not need (a correlation lives on one) are not asked.
 */
public final class ShardUnavailableException extends UnavailableException {
  private final String shard;
  private final boolean othersStored;

  /**
   * @param othersStored whether a write already committed part of the request on other shards: the
   *     answer is then {@code outcome-unknown}, never "nothing was stored"
   */
  public ShardUnavailableException(String shard, String what, Throwable cause, boolean othersStored) {
    super("shard " + shard + " did not answer while " + what + ": " + cause.getMessage(), cause, "shard unavailable");
    this.shard = shard;
    this.othersStored = othersStored;
  }

  public String shard() {
    return shard;
  }

  @Override
  public Problem problem(Answering request) {
    if (othersStored) {
      return Problem.of(ProblemType.OUTCOME_UNKNOWN, "shard " + shard + " is unavailable: the request's events on"
          + " other shards were stored, its events on " + shard + " were not; retrying the same event ids is safe —"
          + " stored ones are answered as duplicates");
    }
    return Problem.of(ProblemType.SERVICE_UNAVAILABLE, "shard " + shard + " is unavailable, and the answer needs its"
        + " events" + (request.storing() ? "; nothing was stored" : "") + " — retry after "
        + Math.max(1, request.retryAfter().toSeconds()) + " s");
  }
}
