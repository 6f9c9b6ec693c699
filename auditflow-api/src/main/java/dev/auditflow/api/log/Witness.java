package dev.auditflow.api.log;

import java.io.IOException;
import java.security.MessageDigest;
import java.util.List;

/**
 * What a witness does with each checkpoint it is shown: check its signature, then that it extends
 * the checkpoint the witness already trusts — never smaller, the same root at the same size, and a
 * consistency proof otherwise. Only then does the new checkpoint become the trusted one.
 */
public final class Witness {
  private Witness() {}

  /** Where consistency proofs come from (the log's HTTP API). */
  @FunctionalInterface
  public interface Proofs {
    List<byte[]> consistency(long first, long second) throws IOException;
  }

  /**
   * The newer checkpoint, once it is shown to extend {@code trusted}.
   *
   * @throws LogProofException when the note is not signed by {@code key}, or the log it describes
   *     is not an extension of the trusted one: the log forked, shrank or was rewritten
   */
  public static Checkpoint advance(Checkpoint trusted, String note, NoteKey key, Proofs proofs)
      throws LogProofException, IOException {
    Checkpoint next = Checkpoint.verified(note, key);
    if (next.size() < trusted.size()) {
      throw new LogProofException("the log shrank from " + trusted.size() + " to " + next.size()
          + " leaves: leaves were removed");
    }
    if (next.size() == trusted.size()) {
      if (!MessageDigest.isEqual(next.rootHash(), trusted.rootHash())) {
        throw new LogProofException("two signed checkpoints of size " + next.size()
            + " with different roots: the log forked (" + trusted + " vs " + next + ")");
      }
      return next;
    }
    if (trusted.size() == 0) {
      // Every tree extends the empty one — if what was trusted really was the empty tree.
      if (!MessageDigest.isEqual(trusted.rootHash(), MerkleHashes.emptyRoot())) {
        throw new LogProofException("the trusted checkpoint of size 0 does not have the empty tree's root");
      }
      return next;
    }
    LogProofs.verifyConsistency(trusted.size(), next.size(), proofs.consistency(trusted.size(), next.size()),
        trusted.rootHash(), next.rootHash());
    return next;
  }
}
