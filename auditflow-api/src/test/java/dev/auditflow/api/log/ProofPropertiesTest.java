package dev.auditflow.api.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Properties over random trees: roots agree with RFC 9162's recursive definition, every generated
 * proof verifies, and no single change to a proof, leaf, index, size or root slips through.
 */
class ProofPropertiesTest {
  private static final Random RANDOM = new Random(20261128);

  @Test
  void rootsAgreeWithTheRecursiveDefinition() {
    for (int n = 1; n <= 300; n++) {
      List<byte[]> leaves = leaves(n);
      assertThat(CompactRange.rootOf(leaves)).as("size %d", n).isEqualTo(mth(leaves, 0, n));
    }
  }

  @Test
  void everyInclusionProofVerifiesAndAnyChangeFails() throws LogProofException {
    for (int round = 0; round < 300; round++) {
      int size = 1 + RANDOM.nextInt(round < 100 ? 40 : 5000);
      List<byte[]> leaves = leaves(size);
      Tree tree = Tree.of(leaves);
      int index = RANDOM.nextInt(size);
      List<byte[]> proof = tree.inclusion(index, size);
      byte[] root = tree.root(size);
      LogProofs.verifyInclusion(leaves.get(index), index, size, proof, root);

      assertFails(() -> LogProofs.verifyInclusion(flip(leaves.get(index)), index, size, proof, root));
      assertFails(() -> LogProofs.verifyInclusion(leaves.get(index), index, size, proof, flip(root)));
      if (size > 1) {
        int other = (index + 1 + RANDOM.nextInt(size - 1)) % size;
        assertFails(() -> LogProofs.verifyInclusion(leaves.get(index), other, size, proof, root));
        int at = RANDOM.nextInt(proof.size());
        List<byte[]> changed = new ArrayList<>(proof);
        changed.set(at, flip(changed.get(at)));
        assertFails(() -> LogProofs.verifyInclusion(leaves.get(index), index, size, changed, root));
        assertFails(() -> LogProofs.verifyInclusion(leaves.get(index), index, size, proof.subList(0, proof.size() - 1), root));
      }
      List<byte[]> longer = new ArrayList<>(proof);
      longer.add(leaves.get(0));
      assertFails(() -> LogProofs.verifyInclusion(leaves.get(index), index, size, longer, root));
    }
  }

  @Test
  void everyConsistencyProofVerifiesAndAnyChangeFails() throws LogProofException {
    for (int round = 0; round < 300; round++) {
      int second = 1 + RANDOM.nextInt(round < 100 ? 40 : 5000);
      int first = 1 + RANDOM.nextInt(second);
      Tree tree = Tree.of(leaves(second));
      List<byte[]> proof = tree.consistency(first, second);
      byte[] root1 = tree.root(first);
      byte[] root2 = tree.root(second);
      LogProofs.verifyConsistency(first, second, proof, root1, root2);

      assertFails(() -> LogProofs.verifyConsistency(first, second, proof, flip(root1), root2));
      assertFails(() -> LogProofs.verifyConsistency(first, second, proof, root1, flip(root2)));
      if (!proof.isEmpty()) {
        int at = RANDOM.nextInt(proof.size());
        List<byte[]> changed = new ArrayList<>(proof);
        changed.set(at, flip(changed.get(at)));
        assertFails(() -> LogProofs.verifyConsistency(first, second, changed, root1, root2));
        assertFails(() -> LogProofs.verifyConsistency(first, second, proof.subList(1, proof.size()), root1, root2));
      }
      if (first < second) {
        assertFails(() -> LogProofs.verifyConsistency(first + 1, second, proof, root1, root2));
      }
    }
  }

  /** A tree that changed one leaf below an old size is not consistent with the old checkpoint. */
  @Test
  void aRewrittenLeafBreaksConsistencyWithEveryEarlierCheckpoint() {
    for (int round = 0; round < 100; round++) {
      int second = 2 + RANDOM.nextInt(2000);
      int first = 1 + RANDOM.nextInt(second - 1);
      List<byte[]> leaves = leaves(second);
      byte[] oldRoot = CompactRange.rootOf(leaves.subList(0, first));
      leaves.set(RANDOM.nextInt(first), flip(leaves.get(0)));
      Tree rewritten = Tree.of(leaves);
      assertFails(() -> LogProofs.verifyConsistency(first, second, rewritten.consistency(first, second), oldRoot,
          rewritten.root(second)));
    }
  }

  @Test
  void theRightEdgeOfAnySizeHasOneNodePerSetBit() {
    for (long size : new long[] {1, 2, 3, 7, 8, 1000, (1L << 40) + 5}) {
      assertThat(CompactRange.nodesOf(size)).hasSize(Long.bitCount(size));
      assertThat(CompactRange.nodesOf(size).stream().mapToLong(n -> 1L << n.level()).sum()).isEqualTo(size);
    }
  }

  private static void assertFails(PublishedVectorsTest.ThrowingCheck check) {
    assertThatThrownBy(check::run).isInstanceOf(LogProofException.class);
  }

  private static byte[] mth(List<byte[]> leaves, int lo, int hi) {
    if (hi - lo == 1) {
      return leaves.get(lo);
    }
    int k = Integer.highestOneBit(hi - lo - 1);
    return MerkleHashes.node(mth(leaves, lo, lo + k), mth(leaves, lo + k, hi));
  }

  private static List<byte[]> leaves(int n) {
    List<byte[]> leaves = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] data = new byte[RANDOM.nextInt(40)];
      RANDOM.nextBytes(data);
      leaves.add(MerkleHashes.leaf(data));
    }
    return leaves;
  }

  private static byte[] flip(byte[] hash) {
    byte[] copy = hash.clone();
    copy[RANDOM.nextInt(copy.length)] ^= (byte) (1 << RANDOM.nextInt(8));
    return copy;
  }
}
