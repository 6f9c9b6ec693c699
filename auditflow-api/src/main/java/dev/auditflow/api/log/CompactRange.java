package dev.auditflow.api.log;

import java.util.ArrayList;
import java.util.List;

/**
 * The right edge of a growing tree: the hashes of the complete subtrees that make up its first
 * {@code size} leaves, largest first — at most 63 hashes, enough to append more leaves and to
 * compute the root. Appending reports every complete node it creates, which is what the log
 * stores. Not thread-safe.
 */
public final class CompactRange {
  private long size;
  private final List<byte[]> hashes;

  private CompactRange(long size, List<byte[]> hashes) {
    this.size = size;
    this.hashes = hashes;
  }

  public static CompactRange empty() {
    return new CompactRange(0, new ArrayList<>());
  }

  /**
   * The range of a tree of {@code size} leaves from the hashes of {@link #nodesOf(long)}, in that
   * order.
   */
  public static CompactRange of(long size, List<byte[]> hashes) {
    if (hashes.size() != Long.bitCount(size)) {
      throw new IllegalArgumentException("a tree of " + size + " leaves has " + Long.bitCount(size)
          + " complete subtrees on its right edge, not " + hashes.size());
    }
    return new CompactRange(size, new ArrayList<>(hashes));
  }

  /** The complete subtrees of a tree of {@code size} leaves, largest (leftmost) first. */
  public static List<NodeId> nodesOf(long size) {
    return size == 0 ? List.of() : new TreeRange(0, size).nodes();
  }

  public long size() {
    return size;
  }

  /**
   * Appends one leaf.
   *
   * @param created told of every complete node this creates: the leaf itself, then each parent
   */
  public void append(byte[] leafHash, NodeSink created) {
    long index = size;
    byte[] hash = leafHash;
    created.node(new NodeId(0, index), hash);
    int level = 0;
    // Each trailing one bit of the old size is a complete subtree on the left that the new leaf now completes.
    for (long bits = size; (bits & 1) == 1; bits >>= 1) {
      hash = MerkleHashes.node(hashes.remove(hashes.size() - 1), hash);
      level++;
      created.node(new NodeId(level, index >> level), hash);
    }
    hashes.add(hash);
    size++;
  }

  /** Appends one leaf, ignoring the nodes it creates. */
  public void append(byte[] leafHash) {
    append(leafHash, (id, hash) -> {});
  }

  /** The Merkle tree hash of the first {@link #size()} leaves. */
  public byte[] root() {
    return size == 0 ? MerkleHashes.emptyRoot() : TreeRange.hash(hashes);
  }

  /** Receives the complete nodes an append creates. */
  @FunctionalInterface
  public interface NodeSink {
    void node(NodeId id, byte[] hash);
  }

  /** As {@link #append(byte[])} for each leaf, for callers that have them all. */
  public static byte[] rootOf(List<byte[]> leafHashes) {
    CompactRange range = empty();
    leafHashes.forEach(range::append);
    return range.root();
  }
}
