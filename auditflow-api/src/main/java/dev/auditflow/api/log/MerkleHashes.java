package dev.auditflow.api.log;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The hashes of an RFC 6962 / RFC 9162 Merkle tree with SHA-256: a leaf is {@code SHA-256(0x00 ||
 * data)}, an interior node {@code SHA-256(0x01 || left || right)}, the empty tree {@code
 * SHA-256("")}. The prefixes keep a leaf from ever being read as a node (second-preimage attacks).
 */
public final class MerkleHashes {
  /** Every hash in the tree is this long. */
  public static final int SIZE = 32;

  private static final byte LEAF_PREFIX = 0x00;
  private static final byte NODE_PREFIX = 0x01;

  private MerkleHashes() {}

  /** The root of the tree with no leaves. */
  public static byte[] emptyRoot() {
    return sha256().digest();
  }

  public static byte[] leaf(byte[] data) {
    MessageDigest d = sha256();
    d.update(LEAF_PREFIX);
    return d.digest(data);
  }

  /** The leaf hash of data given in parts (an event's canonical form with its position spliced in). */
  public static byte[] leaf(byte[]... parts) {
    MessageDigest d = sha256();
    d.update(LEAF_PREFIX);
    for (byte[] part : parts) {
      d.update(part);
    }
    return d.digest();
  }

  public static byte[] node(byte[] left, byte[] right) {
    MessageDigest d = sha256();
    d.update(NODE_PREFIX);
    d.update(left);
    return d.digest(right);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
