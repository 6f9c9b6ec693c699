package dev.auditflow.api.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Known answers from published sources (src/test/resources/vectors/README.md names each): the
 * RFC 6962 hashes and roots of the reference leaves, and transparency-dev/merkle's inclusion and
 * consistency vectors — valid proofs and every corruption they list, each of which must fail.
 */
class PublishedVectorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** RFC 6962 reference leaves, from transparency-dev/merkle testonly/constants.go LeafInputs(). */
  private static final List<byte[]> LEAVES = hex("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
      "606162636465666768696a6b6c6d6e6f");

  /** Roots of the first 0…8 of those leaves, from the same file's RootHashes(). */
  private static final List<byte[]> ROOTS = hex(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

  @Test
  void hashesMatchRfc6962KnownAnswers() {
    // transparency-dev/merkle rfc6962/rfc6962_test.go
    assertThat(MerkleHashes.emptyRoot()).isEqualTo(hex1("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    assertThat(MerkleHashes.leaf(new byte[0])).isEqualTo(hex1("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"));
    byte[] leaf = MerkleHashes.leaf("L123456".getBytes());
    assertThat(leaf).isEqualTo(hex1("395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"));
    assertThat(MerkleHashes.node("N123".getBytes(), "N456".getBytes()))
        .isEqualTo(hex1("aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb"));
    assertThat(MerkleHashes.leaf("L123".getBytes(), "456".getBytes())).isEqualTo(leaf);
  }

  @Test
  void rootsOfEveryPrefixMatchTheReferenceTree() {
    CompactRange range = CompactRange.empty();
    assertThat(range.root()).isEqualTo(ROOTS.get(0));
    for (int n = 1; n <= LEAVES.size(); n++) {
      range.append(MerkleHashes.leaf(LEAVES.get(n - 1)));
      assertThat(range.root()).as("root of %d leaves", n).isEqualTo(ROOTS.get(n));
    }
  }

  @TestFactory
  Stream<DynamicTest> inclusionVectors() throws IOException, URISyntaxException {
    return vectors("inclusion").map(v -> DynamicTest.dynamicTest(v.name(), () -> {
      JsonNode j = v.json();
      var verification = (ThrowingCheck) () -> LogProofs.verifyInclusion(b64(j.get("leafHash")),
          j.get("leafIdx").asLong(), j.get("treeSize").asLong(), b64List(j.get("proof")), b64(j.get("root")));
      expect(verification, j.get("wantErr").asBoolean());
    }));
  }

  @TestFactory
  Stream<DynamicTest> consistencyVectors() throws IOException, URISyntaxException {
    return vectors("consistency").map(v -> DynamicTest.dynamicTest(v.name(), () -> {
      JsonNode j = v.json();
      var verification = (ThrowingCheck) () -> LogProofs.verifyConsistency(j.get("size1").asLong(),
          j.get("size2").asLong(), b64List(j.get("proof")), b64(j.get("root1")), b64(j.get("root2")));
      expect(verification, j.get("wantErr").asBoolean());
    }));
  }

  @Test
  void thereAreEnoughVectorsToMeanSomething() throws IOException, URISyntaxException {
    assertThat(vectors("inclusion").count()).isGreaterThan(80);
    assertThat(vectors("consistency").count()).isGreaterThan(90);
    assertThat(vectors("inclusion").filter(v -> !v.json().get("wantErr").asBoolean()).count()).isGreaterThan(5);
  }

  /** Proofs this code generates for the reference tree are the published valid ones. */
  @TestFactory
  Stream<DynamicTest> generatedProofsAreThePublishedOnes() throws IOException, URISyntaxException {
    Tree tree = Tree.of(LEAVES.stream().map(MerkleHashes::leaf).toList());
    return vectors("inclusion").filter(v -> !v.json().get("wantErr").asBoolean()).map(v ->
        DynamicTest.dynamicTest(v.name(), () -> {
          JsonNode j = v.json();
          List<byte[]> proof = tree.inclusion(j.get("leafIdx").asLong(), j.get("treeSize").asLong());
          assertThat(proof).usingElementComparator(java.util.Arrays::compare).containsExactlyElementsOf(b64List(j.get("proof")));
        }));
  }

  @Test
  void generatedConsistencyProofsAreThePublishedOnes() throws IOException, URISyntaxException {
    Tree tree = Tree.of(LEAVES.stream().map(MerkleHashes::leaf).toList());
    List<Vector> valid = vectors("consistency").filter(v -> !v.json().get("wantErr").asBoolean())
        .filter(v -> v.json().get("size1").asLong() > 0).toList();
    assertThat(valid).isNotEmpty();
    for (Vector v : valid) {
      JsonNode j = v.json();
      assertThat(tree.consistency(j.get("size1").asLong(), j.get("size2").asLong()))
          .as(v.name()).usingElementComparator(java.util.Arrays::compare).containsExactlyElementsOf(b64List(j.get("proof")));
    }
  }

  @FunctionalInterface
  interface ThrowingCheck {
    void run() throws LogProofException;
  }

  private static void expect(ThrowingCheck check, boolean wantErr) {
    if (wantErr) {
      assertThatThrownBy(check::run).isInstanceOf(LogProofException.class);
    } else {
      assertThatCode(check::run).doesNotThrowAnyException();
    }
  }

  record Vector(String name, JsonNode json) {}

  private static Stream<Vector> vectors(String kind) throws IOException, URISyntaxException {
    Path dir = Path.of(PublishedVectorsTest.class.getResource("/vectors/transparency-dev-merkle/" + kind).toURI());
    List<Vector> all = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        all.add(new Vector(dir.relativize(f).toString(), JSON.readTree(f.toFile())));
      }
    }
    return all.stream();
  }

  private static byte[] b64(JsonNode node) {
    return node == null || node.isNull() ? null : Base64.getDecoder().decode(node.asText());
  }

  private static List<byte[]> b64List(JsonNode node) {
    List<byte[]> out = new ArrayList<>();
    if (node != null && !node.isNull()) {
      node.forEach(n -> out.add(b64(n)));
    }
    return out;
  }

  private static List<byte[]> hex(String... values) {
    return Stream.of(values).map(HexFormat.of()::parseHex).toList();
  }

  private static byte[] hex1(String value) {
    return HexFormat.of().parseHex(value);
  }
}
