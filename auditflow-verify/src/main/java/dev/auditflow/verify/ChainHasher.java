package dev.auditflow.verify;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code event_hash = H(previous_event_hash ‖ canonical form)}, hex encoded, where H is SHA-256 or,
 * with a chain key, HMAC-SHA256. The previous hash enters as its 64 hex characters (ASCII); the
 * first event of a chain uses {@link #GENESIS}. See docs/CHAIN.md.
 */
public final class ChainHasher {
  /** The "previous hash" of a chain's first event. */
  public static final String GENESIS = "0".repeat(64);

  private final byte[] key;

  private ChainHasher(byte[] key) {
    this.key = key;
  }

  /** Unkeyed: SHA-256. */
  public static ChainHasher sha256() {
    return new ChainHasher(null);
  }

  /** Keyed: HMAC-SHA256. */
  public static ChainHasher hmac(byte[] key) {
    if (key.length < 32) {
      throw new IllegalArgumentException("a chain key must be at least 32 bytes, was " + key.length);
    }
    return new ChainHasher(key.clone());
  }

  /** The algorithm new events are hashed with. */
  public HashAlgorithm algorithm() {
    return key == null ? HashAlgorithm.SHA256 : HashAlgorithm.HMAC_SHA256;
  }

  /** Hashes with this hasher's algorithm. */
  public String hash(String previousHash, byte[] canonical) {
    return hash(algorithm(), previousHash, canonical).orElseThrow();
  }

  /** Hashes a canonical form at a position without assembling its bytes: the same hash as over {@code canonical.at(position)}. */
  public String hash(String previousHash, CanonicalForm.Template canonical, long position) {
    return digest(algorithm(), previousHash, canonical.before(), CanonicalForm.Template.digits(position), canonical.after())
        .orElseThrow();
  }

  /**
   * Hashes with the given algorithm, as verification must for rows written under another
   * setting; empty if that needs a key this hasher does not have.
   */
  public Optional<String> hash(HashAlgorithm algorithm, String previousHash, byte[] canonical) {
    return digest(algorithm, previousHash, canonical);
  }

  /** The hash of the previous hash followed by the canonical bytes, given in consecutive parts. */
  private Optional<String> digest(HashAlgorithm algorithm, String previousHash, byte[]... canonicalParts) {
    byte[] prefix = previousHash.getBytes(StandardCharsets.US_ASCII);
    try {
      if (algorithm == HashAlgorithm.SHA256) {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        digest.update(prefix);
        for (byte[] part : canonicalParts) {
          digest.update(part);
        }
        return Optional.of(HexFormat.of().formatHex(digest.digest()));
      }
      if (key == null) {
        return Optional.empty();
      }
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update(prefix);
      for (byte[] part : canonicalParts) {
        mac.update(part);
      }
      return Optional.of(HexFormat.of().formatHex(mac.doFinal()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 and HmacSHA256 are required of every JVM", e);
    }
  }
}
