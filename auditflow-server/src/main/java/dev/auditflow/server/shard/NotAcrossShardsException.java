package dev.auditflow.server.shard;

import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;
import dev.auditflow.server.failure.ServiceException;

/**
 * A feature the trail cannot do across shards yet (docs/SCALE.md, "Shards": what is not built):
 * refused, 501, naming it — never answered from the part of the trail one database holds.
 */
public final class NotAcrossShardsException extends ServiceException {
  public NotAcrossShardsException(String feature) {
    super(feature + " across shards is not built yet (docs/SCALE.md, \"Shards\")", null);
  }

  @Override
  public Problem problem(Answering request) {
    return Problem.of(ProblemType.NOT_IMPLEMENTED, getMessage());
  }
}
