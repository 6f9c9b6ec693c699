package dev.auditflow.api.log;

/**
 * A complete subtree of the log: the {@code index}-th subtree of {@code 2^level} leaves, covering
 * leaves {@code [index * 2^level, (index + 1) * 2^level)}. Level 0 nodes are the leaves.
 */
public record NodeId(int level, long index) {
  public NodeId {
    if (level < 0 || level > 62 || index < 0) {
      throw new IllegalArgumentException("no such node: level " + level + ", index " + index);
    }
  }
}
