package dev.auditflow.server.kafka;

import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;
import dev.auditflow.server.failure.UnavailableException;

/**
 * Kafka did not acknowledge every event of a request in time (docs/SCALE.md). Some may have been
 * appended — an append whose acknowledgement was lost is still stored by a writer — so the answer
 * is "outcome unknown", never "nothing was written"; the client's retry with the same event ids is
 * stored once.
 */
public final class IngestLogUnavailableException extends UnavailableException {
  IngestLogUnavailableException(String message, Throwable cause) {
    super(message, cause, "ingest log unavailable");
  }

  @Override
  public Problem problem(Answering request) {
    return Problem.of(ProblemType.OUTCOME_UNKNOWN, "the ingest log (Kafka) did not acknowledge every event of the"
        + " request: " + getMessage() + "; some may be stored all the same — retrying the same event ids is safe, each"
        + " is stored once");
  }
}
