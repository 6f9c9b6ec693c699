package dev.auditflow.server.trail;

/**
 * Where a chain's stored part starts: after position {@code purgedThrough}, linking to {@code
 * lastHash}. {@link #GENESIS} for a chain never purged.
 */
public record ChainStart(long purgedThrough, String lastHash, String lastAlgorithm) {
  public static final ChainStart GENESIS = new ChainStart(0, null, null);
}
