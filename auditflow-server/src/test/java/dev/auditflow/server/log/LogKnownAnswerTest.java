package dev.auditflow.server.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditflow.api.log.Checkpoint;
import dev.auditflow.api.log.MerkleHashes;
import dev.auditflow.server.signing.SigningKey;
import dev.auditflow.server.trail.CheckpointSigner;
import dev.auditflow.verify.CanonicalFormTest;
import dev.auditflow.verify.Pem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The worked example of docs/LOG.md, against values computed independently in Python
 * ({@code hashlib}, and {@code cryptography}'s Ed25519 for the note):
 *
 * <pre>
 * leaf = hashlib.sha256(b"\x00" + canonical.encode()).digest()           # canonical: docs/CHAIN.md's example
 * root = hashlib.sha256(b"\x01" + leaf + bytes.fromhex(SECOND_LEAF)).digest()
 * priv = Ed25519PrivateKey.from_private_bytes(seed)                      # seed: Go sumdb/note's test key
 * keyid = hashlib.sha256(name.encode() + b"\n" + b"\x01" + pub).digest()[:4]
 * note = text + "\n" + "— " + name + " " + b64(keyid + priv.sign(text.encode())) + "\n"
 * </pre>
 */
class LogKnownAnswerTest {
  static final String LEAF = "eded3b8b9bb47596beef1883bc812679243e8fe66b6242f67044cceb07fa5bd7";
  static final String SECOND_LEAF = "4b57602143d2b5ac4bbadd44573ffddeb5082453cd43f6988666a5cace4d071c";
  static final String ROOT = "V96XgvKjGniM+jalynDJ0yx7CnNyNIHc8GdvMBBPaCs=";
  /** The private seed of the "PeterNeumann" key in golang.org/x/mod/sumdb/note's tests (a public test key). */
  static final String SEED = "gQoUAtUUbI2E8kQzMPVAgOv5juF9nHT2JS/F1ccoMXM=";
  static final String VERIFIER_KEY = "auditflow.log/example+c68db5e2+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
  static final String NOTE = "auditflow.log/example\n2\nV96XgvKjGniM+jalynDJ0yx7CnNyNIHc8GdvMBBPaCs=\n\n"
      + "— auditflow.log/example xo214kply9P/6usi+3TiD4z3IqMRTczXYTm6SfPKhep8RRJ8BVCxjQF/H3D+QU0Hy25Xd3MPN4L0pqmTu9sDHvWuBQM=\n";

  @Test
  void theLeafOfTheChainExampleAndATwoLeafRoot() {
    byte[] leaf = MerkleHashes.leaf(CanonicalFormTest.EXPECTED_CANONICAL.getBytes(StandardCharsets.UTF_8));
    assertThat(HexFormat.of().formatHex(leaf)).isEqualTo(LEAF);
    byte[] root = MerkleHashes.node(leaf, HexFormat.of().parseHex(SECOND_LEAF));
    assertThat(Base64.getEncoder().encodeToString(root)).isEqualTo(ROOT);
  }

  @Test
  void theServerSignsTheCheckpointByteForByte() throws Exception {
    CheckpointSigner signer = new CheckpointSigner(SigningKey.loadOrCreate(keyFile()));
    assertThat(signer.noteKey("auditflow.log/example").encode()).isEqualTo(VERIFIER_KEY);
    assertThat(signer.sign(new Checkpoint("auditflow.log/example", 2, Base64.getDecoder().decode(ROOT))))
        .isEqualTo(NOTE);
  }

  @Test
  void docsLogMdShowsTheseValues() throws Exception {
    String doc = Files.readString(Path.of("../docs/LOG.md"));
    assertThat(doc).contains(LEAF, SECOND_LEAF, ROOT, VERIFIER_KEY, NOTE.substring(NOTE.indexOf("— ")).trim());
  }

  /** The test key as serve keeps one: PKCS#8 private key, then the public key (RFC 8410 DER). */
  private static Path keyFile() throws Exception {
    byte[] seed = Base64.getDecoder().decode(SEED);
    byte[] pkcs8 = concat(HexFormat.of().parseHex("302e020100300506032b657004220420"), seed);
    byte[] raw = Arrays.copyOfRange(Base64.getDecoder().decode(VERIFIER_KEY.split("\\+", 3)[2]), 1, 33);
    byte[] x509 = concat(HexFormat.of().parseHex("302a300506032b6570032100"), raw);
    Path file = Files.createTempDirectory("auditflow-kat").resolve("key.pem");
    Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, Pem.encode("PRIVATE KEY", pkcs8) + Pem.encode("PUBLIC KEY", x509));
    return file;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
