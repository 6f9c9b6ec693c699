package dev.auditflow.api.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Signed-note encoding against the Go {@code golang.org/x/mod/sumdb/note} package's published
 * example (note_test.go: the "PeterNeumann" key, TestSign's text and signature) — Ed25519
 * signatures are deterministic, so the same key and text must give the same bytes.
 */
class SignedNoteTest {
  private static final String GO_VERIFIER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
  private static final String GO_SIGNER_KEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
  private static final String GO_TEXT = "If you think cryptography is the answer to your problem,\n"
      + "then you don't know what your problem is.\n";
  private static final String GO_NOTE = GO_TEXT + "\n"
      + "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

  @Test
  void readsAndWritesTheGoVerifierKey() {
    NoteKey key = NoteKey.parse(GO_VERIFIER_KEY);
    assertThat(key.name()).isEqualTo("PeterNeumann");
    assertThat(key.keyId()).isEqualTo(0xc74f20a3);
    assertThat(key.encode()).isEqualTo(GO_VERIFIER_KEY);
    assertThat(NoteKey.of("PeterNeumann", key.publicKey())).isEqualTo(key);
  }

  @Test
  void anyKeyRoundTripsThoughBase64MayHoldPlusSigns() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
    for (int i = 0; i < 200; i++) {
      NoteKey key = NoteKey.of("example.com/log", generator.generateKeyPair().getPublic());
      assertThat(NoteKey.parse(key.encode())).isEqualTo(key);
    }
  }

  @Test
  void refusesVerifierKeysThatDoNotAddUp() {
    // From the same test file: wrong length with adjusted hash, unknown algorithm with adjusted hash.
    assertThatThrownBy(() -> NoteKey.parse("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> NoteKey.parse("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> NoteKey.parse("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"))
        .hasMessageContaining("does not match");
  }

  @Test
  void signsExactlyAsTheGoPackage() throws Exception {
    PrivateKey seed = privateKeyFromGoSigner(GO_SIGNER_KEY);
    NoteKey key = NoteKey.parse(GO_VERIFIER_KEY);
    SignedNote note = SignedNote.sign(GO_TEXT, key, data -> sign(seed, data));
    assertThat(note.encode()).isEqualTo(GO_NOTE);
  }

  @Test
  void verifiesTheGoNoteAndRefusesItChanged() throws LogProofException {
    NoteKey key = NoteKey.parse(GO_VERIFIER_KEY);
    assertThatCode(() -> SignedNote.parse(GO_NOTE).verify(key)).doesNotThrowAnyException();
    String altered = GO_NOTE.replace("don't", "do");
    assertThatThrownBy(() -> SignedNote.parse(altered).verify(key)).hasMessageContaining("does not verify");
    // Go's second example key (EnochRoot) did not sign it
    NoteKey enoch = NoteKey.parse("EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop");
    assertThatThrownBy(() -> SignedNote.parse(GO_NOTE).verify(enoch)).hasMessageContaining("no signature by");
    assertThat(SignedNote.parse(GO_NOTE).encode()).isEqualTo(GO_NOTE);
  }

  @Test
  void checkpointRoundTripsAndNeedsItsOwnLogsKey() throws Exception {
    KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    NoteKey key = NoteKey.of("example.com/log", pair.getPublic());
    byte[] root = HexFormat.of().parseHex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
    Checkpoint checkpoint = new Checkpoint("example.com/log", 8, root);
    String note = SignedNote.sign(checkpoint.body(), key, data -> sign(pair.getPrivate(), data)).encode();
    assertThat(note).startsWith("example.com/log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n— example.com/log ");
    assertThat(Checkpoint.verified(note, key)).isEqualTo(checkpoint);

    NoteKey otherLog = NoteKey.of("other.example/log", pair.getPublic());
    String otherNote = SignedNote.sign(new Checkpoint("other.example/log", 8, root).body(), otherLog,
        data -> sign(pair.getPrivate(), data)).encode();
    assertThatThrownBy(() -> Checkpoint.verified(otherNote, key)).hasMessageContaining("no signature by");
    assertThatThrownBy(() -> Checkpoint.parse("example.com/log\n-1\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n"))
        .isInstanceOf(LogProofException.class);
    assertThatThrownBy(() -> SignedNote.parse("no blank line\n— a AAAA\n")).isInstanceOf(LogProofException.class);
  }

  /** Go's signer key is "PRIVATE+KEY+name+id+base64(0x01 || 32-byte seed)"; the JDK reads the seed as PKCS#8 (RFC 8410). */
  private static PrivateKey privateKeyFromGoSigner(String skey) throws GeneralSecurityException {
    byte[] encoded = Base64.getDecoder().decode(skey.split("\\+", 5)[4]);
    byte[] pkcs8 = HexFormat.of().parseHex("302e020100300506032b657004220420");
    byte[] der = Arrays.copyOf(pkcs8, pkcs8.length + 32);
    System.arraycopy(encoded, 1, der, pkcs8.length, 32);
    return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
  }

  private static byte[] sign(PrivateKey key, byte[] data) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(key);
      s.update(data);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
