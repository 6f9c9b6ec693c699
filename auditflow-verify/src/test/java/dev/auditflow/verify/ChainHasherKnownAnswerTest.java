package dev.auditflow.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Known answers computed outside the code under test, with Python 3.11's hashlib and hmac:
 *
 * <pre>
 * import hashlib, hmac
 * canonical = CanonicalFormTest.EXPECTED_CANONICAL   # pasted as a string
 * g = "0" * 64
 * h1 = hashlib.sha256((g + canonical).encode()).hexdigest()
 * c2 = '{"chain_position":2,"x":"é"}'
 * hashlib.sha256((h1 + c2).encode("utf-8")).hexdigest()
 * key = bytes(range(32))
 * hmac.new(key, (g + canonical).encode(), hashlib.sha256).hexdigest()
 * hmac.new(key, (h1 + c2).encode("utf-8"), hashlib.sha256).hexdigest()
 * </pre>
 */
class ChainHasherKnownAnswerTest {
  private static final String SHA256_FIRST = "8a244605540fbe737bb4364997c57e8c918811f4eb4dc0dcc5c89883f8936afd";
  private static final String SHA256_SECOND = "1fd874fe7da7e61852a0b830236307a4e7a66b2b2c520405cd8e258fa8132c58";
  private static final String HMAC_FIRST = "2ccdf6ba2e9a06acc53cd8550fdd3db917ed48d3d20e2fdf814e63ecb5029791";
  private static final String HMAC_SECOND = "be271e6970875b70b0ffae329ff37dba8a3fb6120efb9faa8a4294f620597ab1";
  private static final byte[] SECOND = "{\"chain_position\":2,\"x\":\"é\"}".getBytes(StandardCharsets.UTF_8);

  private static byte[] key() {
    byte[] key = new byte[32];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) i;
    }
    return key;
  }

  private static byte[] first() {
    return CanonicalFormTest.EXPECTED_CANONICAL.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void sha256ChainMatchesPython() {
    ChainHasher hasher = ChainHasher.sha256();
    assertThat(hasher.hash(ChainHasher.GENESIS, first())).isEqualTo(SHA256_FIRST);
    assertThat(hasher.hash(SHA256_FIRST, SECOND)).isEqualTo(SHA256_SECOND);
  }

  @Test
  void hmacChainMatchesPython() {
    ChainHasher hasher = ChainHasher.hmac(key());
    assertThat(hasher.hash(ChainHasher.GENESIS, first())).isEqualTo(HMAC_FIRST);
    // The link takes the previous (unkeyed here) hash as ASCII hex, as docs/CHAIN.md says.
    assertThat(hasher.hash(SHA256_FIRST, SECOND)).isEqualTo(HMAC_SECOND);
  }

  @Test
  void theWorkedExampleInTheDocumentIsThePythonValue() throws Exception {
    assertThat(java.nio.file.Files.readString(java.nio.file.Path.of("../docs/CHAIN.md"))).contains(SHA256_FIRST);
  }
}
