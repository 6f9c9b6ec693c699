package dev.auditflow.api.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A witness accepts only signed checkpoints that extend the one it trusts. */
class WitnessTest {
  private static final String ORIGIN = "example.com/log";
  private final KeyPair pair = generate();
  private final NoteKey key = NoteKey.of(ORIGIN, pair.getPublic());
  private final Random random = new Random(7);

  @Test
  void acceptsAGrownLogAndTheSameCheckpointAgain() throws Exception {
    Tree tree = Tree.of(leaves(20));
    Checkpoint trusted = checkpoint(tree, 7);
    Checkpoint next = Witness.advance(trusted, note(checkpoint(tree, 20)), key, tree::consistency);
    assertThat(next.size()).isEqualTo(20);
    assertThat(Witness.advance(next, note(next), key, tree::consistency)).isEqualTo(next);
  }

  @Test
  void refusesAForkAShrinkARewriteAndAnotherKey() throws Exception {
    List<byte[]> leaves = leaves(20);
    Tree tree = Tree.of(leaves);
    Checkpoint trusted = checkpoint(tree, 12);

    List<byte[]> rewritten = new ArrayList<>(leaves);
    rewritten.set(3, MerkleHashes.leaf(new byte[] {9}));
    Tree forged = Tree.of(rewritten);
    assertThatThrownBy(() -> Witness.advance(trusted, note(checkpoint(forged, 12)), key, forged::consistency))
        .hasMessageContaining("forked");
    assertThatThrownBy(() -> Witness.advance(trusted, note(checkpoint(forged, 20)), key, forged::consistency))
        .hasMessageContaining("rewritten");
    assertThatThrownBy(() -> Witness.advance(trusted, note(checkpoint(tree, 11)), key, tree::consistency))
        .hasMessageContaining("shrank");
    Checkpoint bogusEmpty = new Checkpoint(ORIGIN, 0, MerkleHashes.leaf(new byte[0]));
    assertThatThrownBy(() -> Witness.advance(bogusEmpty, note(checkpoint(tree, 20)), key, tree::consistency))
        .hasMessageContaining("empty tree");
    Checkpoint empty = new Checkpoint(ORIGIN, 0, MerkleHashes.emptyRoot());
    assertThat(Witness.advance(empty, note(checkpoint(tree, 20)), key, tree::consistency).size()).isEqualTo(20);
    NoteKey stranger = NoteKey.of(ORIGIN, generate().getPublic());
    assertThatThrownBy(() -> Witness.advance(trusted, note(checkpoint(tree, 20)), stranger, tree::consistency))
        .isInstanceOf(LogProofException.class);
  }

  private Checkpoint checkpoint(Tree tree, long size) {
    return new Checkpoint(ORIGIN, size, tree.root(size));
  }

  private String note(Checkpoint checkpoint) {
    return SignedNote.sign(checkpoint.body(), key, data -> {
      try {
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(pair.getPrivate());
        s.update(data);
        return s.sign();
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }).encode();
  }

  private List<byte[]> leaves(int n) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] data = new byte[8];
      random.nextBytes(data);
      out.add(MerkleHashes.leaf(data));
    }
    return out;
  }

  private static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
