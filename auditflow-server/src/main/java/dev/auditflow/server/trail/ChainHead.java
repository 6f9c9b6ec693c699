package dev.auditflow.server.trail;

import dev.auditflow.verify.ChainHasher;

/** Where a chain ends: the last position and its hash. */
public record ChainHead(long position, String hash) {
  public static final ChainHead EMPTY = new ChainHead(0, ChainHasher.GENESIS);
}
