package dev.auditflow.api.log;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * An Ed25519 note verifier key in the C2SP signed-note encoding, {@code
 * <name>+<key id, 8 hex>+<base64(0x01 || 32-byte public key)>} — the form Go's {@code
 * golang.org/x/mod/sumdb/note} and transparency-log witnesses read. The key id is the first four
 * bytes of {@code SHA-256(name || "\n" || 0x01 || public key)}, so a signature line names the key
 * that made it.
 */
public record NoteKey(String name, int keyId, byte[] rawPublicKey) {
  static final byte ED25519 = 0x01;
  /** The DER header that makes 32 raw Ed25519 key bytes an X.509 SubjectPublicKeyInfo (RFC 8410). */
  private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

  public NoteKey {
    if (!validName(name)) {
      throw new IllegalArgumentException("a note key name is non-empty, without spaces or '+': " + name);
    }
    if (rawPublicKey.length != 32) {
      throw new IllegalArgumentException("an Ed25519 public key is 32 bytes, not " + rawPublicKey.length);
    }
    rawPublicKey = rawPublicKey.clone();
  }

  /** The note key called {@code name} for an Ed25519 public key of the JDK. */
  public static NoteKey of(String name, PublicKey ed25519) {
    byte[] x509 = ed25519.getEncoded();
    if (x509.length != X509_PREFIX.length + 32
        || !Arrays.equals(x509, 0, X509_PREFIX.length, X509_PREFIX, 0, X509_PREFIX.length)) {
      throw new IllegalArgumentException("not an Ed25519 public key: " + ed25519.getAlgorithm());
    }
    byte[] raw = Arrays.copyOfRange(x509, X509_PREFIX.length, x509.length);
    return new NoteKey(name, keyId(name, raw), raw);
  }

  /** Reads {@code name+hash+key}; refuses unknown algorithms and a key id that does not match. */
  public static NoteKey parse(String encoded) {
    String[] parts = encoded.trim().split("\\+", 3);
    if (parts.length != 3 || parts[1].length() != 8) {
      throw new IllegalArgumentException("a verifier key reads <name>+<8 hex digits>+<base64 key>: " + encoded);
    }
    byte[] key;
    int id;
    try {
      key = Base64.getDecoder().decode(parts[2]);
      id = (int) Long.parseLong(parts[1], 16);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("a verifier key reads <name>+<8 hex digits>+<base64 key>: " + encoded, e);
    }
    if (key.length != 33 || key[0] != ED25519) {
      throw new IllegalArgumentException("only Ed25519 verifier keys (algorithm byte 0x01, 32 bytes) are supported");
    }
    byte[] raw = Arrays.copyOfRange(key, 1, key.length);
    if (id != keyId(parts[0], raw)) {
      throw new IllegalArgumentException("the verifier key's id " + parts[1] + " does not match its name and key");
    }
    return new NoteKey(parts[0], id, raw);
  }

  public String encode() {
    byte[] key = new byte[33];
    key[0] = ED25519;
    System.arraycopy(rawPublicKey, 0, key, 1, 32);
    return name + "+" + String.format("%08x", keyId) + "+" + Base64.getEncoder().encodeToString(key);
  }

  public PublicKey publicKey() {
    byte[] x509 = Arrays.copyOf(X509_PREFIX, X509_PREFIX.length + 32);
    System.arraycopy(rawPublicKey, 0, x509, X509_PREFIX.length, 32);
    try {
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(x509));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no Ed25519", e);
    }
  }

  @Override
  public byte[] rawPublicKey() {
    return rawPublicKey.clone();
  }

  static int keyId(String name, byte[] raw) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(name.getBytes(StandardCharsets.UTF_8));
      d.update((byte) '\n');
      d.update(ED25519);
      return ByteBuffer.wrap(d.digest(raw)).getInt();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  static boolean validName(String name) {
    return name != null && !name.isEmpty() && name.codePoints().noneMatch(c -> Character.isWhitespace(c) || c == '+');
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NoteKey k && k.name.equals(name) && k.keyId == keyId && Arrays.equals(k.rawPublicKey, rawPublicKey);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + keyId;
  }

  @Override
  public String toString() {
    return encode();
  }
}
