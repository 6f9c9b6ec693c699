package dev.auditflow.api.log;

import java.util.ArrayList;
import java.util.List;

/**
 * The leaves {@code [start, end)} of the log, as proofs name them: every hash in an RFC 9162 proof
 * is the Merkle tree hash of such a range, where {@code start} is a multiple of a power of two at
 * least {@code end - start}. Such a range is a run of complete subtrees of decreasing size, so its
 * hash is computed from stored nodes without touching its leaves.
 */
public record TreeRange(long start, long end) {
  public TreeRange {
    if (start < 0 || end <= start) {
      throw new IllegalArgumentException("empty or negative range [" + start + ", " + end + ")");
    }
  }

  /** The complete subtrees this range is made of, largest (leftmost) first. */
  public List<NodeId> nodes() {
    List<NodeId> nodes = new ArrayList<>();
    long at = start;
    while (at < end) {
      int level = 63 - Long.numberOfLeadingZeros(end - at);
      // Aligned ranges only ever need this; a misaligned one would need smaller subtrees first.
      while ((at & ((1L << level) - 1)) != 0) {
        level--;
      }
      nodes.add(new NodeId(level, at >> level));
      at += 1L << level;
    }
    return nodes;
  }

  /** The range's hash from the hashes of {@link #nodes()}, in that order. */
  public static byte[] hash(List<byte[]> nodeHashes) {
    byte[] hash = nodeHashes.get(nodeHashes.size() - 1);
    for (int i = nodeHashes.size() - 2; i >= 0; i--) {
      hash = MerkleHashes.node(nodeHashes.get(i), hash);
    }
    return hash;
  }
}
