package dev.auditflow.api.log;

import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;

/**
 * Checks RFC 9162 proofs against tree heads the verifier already trusts (§2.1.3.2 inclusion,
 * §2.1.4.2 consistency). Strict: a proof with a hash too many or too few, or a hash of the wrong
 * length, fails — a verifier that tolerates slack can be fed a proof for another tree.
 */
public final class LogProofs {
  private LogProofs() {}

  /** Passes if {@code leafHash} is leaf {@code index} of the tree of {@code size} leaves whose root is {@code root}. */
  public static void verifyInclusion(byte[] leafHash, long index, long size, List<byte[]> path, byte[] root)
      throws LogProofException {
    checkLength("leaf hash", leafHash);
    checkLength("root", root);
    if (index < 0 || index >= size) {
      throw new LogProofException("leaf index " + index + " is outside a tree of " + size + " leaves");
    }
    long fn = index;
    long sn = size - 1;
    byte[] r = leafHash;
    for (byte[] p : path) {
      checkLength("proof hash", p);
      if (sn == 0) {
        throw new LogProofException("the inclusion proof is longer than a tree of " + size + " leaves allows");
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = MerkleHashes.node(p, r);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        r = MerkleHashes.node(r, p);
      }
      fn >>= 1;
      sn >>= 1;
    }
    if (sn != 0) {
      throw new LogProofException("the inclusion proof is shorter than a tree of " + size + " leaves needs");
    }
    if (!MessageDigest.isEqual(r, root)) {
      throw new LogProofException("leaf " + index + " is not in the tree of " + size + " leaves with root "
          + b64(root) + " (the proof leads to " + b64(r) + ")");
    }
  }

  /** Passes if the tree of {@code size1} leaves with {@code root1} is a prefix of the tree of {@code size2} with {@code root2}. */
  public static void verifyConsistency(long size1, long size2, List<byte[]> path, byte[] root1, byte[] root2)
      throws LogProofException {
    if (size1 < 1 || size2 < size1) {
      throw new LogProofException("no consistency proof can go from size " + size1 + " to size " + size2);
    }
    if (size1 == size2) {
      if (!path.isEmpty()) {
        throw new LogProofException("a consistency proof between equal sizes must be empty");
      }
      if (!MessageDigest.isEqual(root1, root2)) {
        throw new LogProofException("two different roots for the same size " + size1 + ": the log forked ("
            + b64(root1) + " vs " + b64(root2) + ")");
      }
      return;
    }
    checkLength("first root", root1);
    checkLength("second root", root2);
    if (path.isEmpty()) {
      throw new LogProofException("an empty consistency proof from size " + size1 + " to " + size2);
    }
    long fn = size1 - 1;
    long sn = size2 - 1;
    int next = 0;
    byte[] fr;
    byte[] sr;
    if (Long.bitCount(size1) == 1) {
      // The first tree is a complete subtree of the second: its root is the proof's implicit first hash.
      fr = root1;
      sr = root1;
    } else {
      fr = checkLength("proof hash", path.get(0));
      sr = fr;
      next = 1;
    }
    while ((fn & 1) == 1) {
      fn >>= 1;
      sn >>= 1;
    }
    for (int i = next; i < path.size(); i++) {
      byte[] c = checkLength("proof hash", path.get(i));
      if (sn == 0) {
        throw new LogProofException("the consistency proof is longer than sizes " + size1 + " → " + size2 + " allow");
      }
      if ((fn & 1) == 1 || fn == sn) {
        fr = MerkleHashes.node(c, fr);
        sr = MerkleHashes.node(c, sr);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        sr = MerkleHashes.node(sr, c);
      }
      fn >>= 1;
      sn >>= 1;
    }
    if (sn != 0) {
      throw new LogProofException("the consistency proof is shorter than sizes " + size1 + " → " + size2 + " need");
    }
    if (!MessageDigest.isEqual(fr, root1)) {
      throw new LogProofException("the tree of " + size1 + " leaves with root " + b64(root1)
          + " is not a prefix of the tree of " + size2 + " leaves: history was rewritten");
    }
    if (!MessageDigest.isEqual(sr, root2)) {
      throw new LogProofException("the consistency proof does not lead to the root " + b64(root2) + " of size " + size2);
    }
  }

  private static byte[] checkLength(String what, byte[] hash) throws LogProofException {
    if (hash == null || hash.length != MerkleHashes.SIZE) {
      throw new LogProofException("the " + what + " is not a " + MerkleHashes.SIZE + "-byte SHA-256 hash");
    }
    return hash;
  }

  private static String b64(byte[] hash) {
    return Base64.getEncoder().encodeToString(hash);
  }
}
