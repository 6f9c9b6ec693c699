package dev.auditflow.server.signing;

import dev.auditflow.server.failure.ConfigurationException;
import dev.auditflow.server.secrets.SecretFiles;
import dev.auditflow.verify.Pem;
import dev.auditflow.verify.PublicKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's Ed25519 key (the JDK's own EdDSA), which signs exports and purge records. Kept in
 * one PEM file, mode 0600, generated at first start when the file does not exist: the private key
 * (PKCS#8) and, after it, the public key (X.509) — the JDK cannot derive one from the other, so a
 * key made elsewhere needs both ({@code openssl genpkey -algorithm ed25519 -out k.pem && openssl
 * pkey -in k.pem -pubout >> k.pem}). The public key is identified by {@link PublicKeys#keyId}.
 */
public final class SigningKey {
  private static final Logger log = LoggerFactory.getLogger(SigningKey.class);
  public static final String ALGORITHM = PublicKeys.ALGORITHM;

  private final PrivateKey privateKey;
  private final PublicKey publicKey;
  private final String keyId;

  private SigningKey(PrivateKey privateKey, PublicKey publicKey) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.keyId = PublicKeys.keyId(publicKey);
  }

  /** The key in {@code file}, made and written there (0600) first if the file does not exist. */
  public static SigningKey loadOrCreate(Path file) {
    try {
      if (!Files.exists(file)) {
        KeyPair pair = generate();
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        try {
          Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
          Files.writeString(file, Pem.encode("PRIVATE KEY", pair.getPrivate().getEncoded())
              + PublicKeys.pem(pair.getPublic()), StandardCharsets.US_ASCII);
          SigningKey key = new SigningKey(pair.getPrivate(), pair.getPublic());
          log.info("signing key created key_id={} file={} (mode 0600; back it up: exports and purge records are"
              + " signed with it)", key.keyId(), file.toAbsolutePath());
          return key;
        } catch (FileAlreadyExistsException raced) {
          // another instance made it first: use theirs
        }
      }
      SecretFiles.requirePrivate(file, "the signing key");
      String pem = Files.readString(file, StandardCharsets.US_ASCII);
      PrivateKey privateKey = KeyFactory.getInstance(ALGORITHM)
          .generatePrivate(new PKCS8EncodedKeySpec(Pem.decode("PRIVATE KEY", pem)));
      SigningKey key = new SigningKey(privateKey, PublicKeys.fromPem(pem));
      key.checkPair();
      return key;
    } catch (IOException e) {
      throw new ConfigurationException("cannot read or create the signing key " + file + " as user "
          + System.getProperty("user.name") + " (" + e.getClass().getSimpleName() + ": " + e.getMessage()
          + "); name a file it may write with --signing-key-file, or a --data-dir it may write", e);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("the signing key file " + file + " must hold an Ed25519 PRIVATE KEY (PKCS#8)"
          + " and its PUBLIC KEY, in PEM: " + e.getMessage(), e);
    }
  }

  /** A key that lives only as long as this process (tests, and servers given no key file). */
  public static SigningKey ephemeral() {
    KeyPair pair = generate();
    return new SigningKey(pair.getPrivate(), pair.getPublic());
  }

  private static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no Ed25519", e);
    }
  }

  /** Fails unless the file's public key is the private key's own. */
  private void checkPair() {
    byte[] probe = "auditflow signing key check".getBytes(StandardCharsets.US_ASCII);
    if (!PublicKeys.verify(publicKey, probe, sign(probe))) {
      throw new IllegalArgumentException("its PUBLIC KEY block is not the public half of its PRIVATE KEY");
    }
  }

  /** The signature of {@code data}, base64. */
  public String sign(byte[] data) {
    try {
      Signature signature = Signature.getInstance(ALGORITHM);
      signature.initSign(privateKey);
      signature.update(data);
      return Base64.getEncoder().encodeToString(signature.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 signing failed", e);
    }
  }

  public PublicKey publicKey() {
    return publicKey;
  }

  public String keyId() {
    return keyId;
  }

  @Override
  public String toString() {
    return "SigningKey[" + keyId + "]";
  }
}
