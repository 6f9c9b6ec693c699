package dev.auditflow.verify;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Ed25519 public keys: reading and writing them as PEM, naming them, and checking signatures —
 * everything an offline verifier needs, with no server or database.
 */
public final class PublicKeys {
  /** The one signature algorithm of exports, purge records and checkpoints. */
  public static final String ALGORITHM = "Ed25519";

  private PublicKeys() {}

  /**
   * The key's name: {@code ed25519:} and the SHA-256 of its X.509 (SubjectPublicKeyInfo) encoding,
   * hex — what {@code openssl pkey -pubin -outform DER | sha256sum} prints for its PEM file.
   */
  public static String keyId(PublicKey key) {
    try {
      return "ed25519:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String pem(PublicKey key) {
    return Pem.encode("PUBLIC KEY", key.getEncoded());
  }

  public static PublicKey fromPem(String pem) {
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(Pem.decode("PUBLIC KEY", pem)));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an Ed25519 public key: " + e.getMessage(), e);
    }
  }

  /** True when {@code signatureBase64} is {@code key}'s signature of {@code data}; false for any malformed input. */
  public static boolean verify(PublicKey key, byte[] data, String signatureBase64) {
    try {
      Signature signature = Signature.getInstance(ALGORITHM);
      signature.initVerify(key);
      signature.update(data);
      return signature.verify(Base64.getDecoder().decode(signatureBase64));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }
}
