package dev.auditflow.api.log;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A tree held in memory for tests: the nodes {@link CompactRange} creates while leaves are
 * appended, and proofs answered from them the way the server answers from its stored nodes.
 */
final class Tree {
  private final Map<NodeId, byte[]> nodes = new HashMap<>();
  private final CompactRange range = CompactRange.empty();
  private final List<byte[]> roots = new ArrayList<>();

  static Tree of(List<byte[]> leafHashes) {
    Tree tree = new Tree();
    leafHashes.forEach(tree::append);
    return tree;
  }

  void append(byte[] leafHash) {
    range.append(leafHash, nodes::put);
    roots.add(range.root());
  }

  long size() {
    return range.size();
  }

  byte[] root(long size) {
    return roots.get((int) size - 1);
  }

  List<byte[]> inclusion(long index, long size) {
    return hashes(ProofPaths.inclusion(index, size));
  }

  List<byte[]> consistency(long first, long second) {
    return hashes(ProofPaths.consistency(first, second));
  }

  private List<byte[]> hashes(List<TreeRange> ranges) {
    return ranges.stream().map(r -> TreeRange.hash(r.nodes().stream().map(nodes::get).toList())).toList();
  }
}
