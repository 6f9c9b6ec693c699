package dev.auditflow.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The streaming canonical writer against the tree form it must equal, byte for byte — both
 * written to bytes, as hashing does (Jackson's byte writer escapes characters outside the BMP as
 * surrogate pairs, its text writer does not).
 */
class CanonicalJsonTest {
  private static final ObjectMapper TREE_WRITER =
      JsonMapper.builder().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN).build();
  private static final JsonFactory STREAM =
      JsonFactory.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
  private static final String[] TEXTS = {"", "plain", "ü 中文 😀", "quote \" back \\ slash", "tab\tnew\nline\r",
      "\u0001\u001f control", "\uD83D lone surrogate", "</script>"};
  private static final String[] KEYS = {"a", "B", "b", "aa", "é", "Z9", "_", "😀", "\u00ff", "\uff01", ""};

  @Test
  void writesWhatNormaliseGivesForRandomValues() throws Exception {
    Random random = new Random(20261128);
    for (int i = 0; i < 2_000; i++) {
      JsonNode value = value(random, 0);
      assertThat(streamed(value)).as(value.toString()).isEqualTo(
          new String(TREE_WRITER.writeValueAsBytes(CanonicalJson.normalize(value)), StandardCharsets.UTF_8));
    }
  }

  @Test
  void sortsKeysAndStripsNumbers() throws Exception {
    JsonNode parsed = AuditEventJson.mapper().readTree("{\"b\":[1.0,1e2,-0.0,0.00],\"a\":{\"y\":1.50,\"x\":null}}");
    assertThat(streamed(parsed)).isEqualTo("{\"a\":{\"x\":null,\"y\":1.5},\"b\":[1,100,0,0]}");
  }

  private static String streamed(JsonNode value) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = STREAM.createGenerator(out)) {
      CanonicalJson.write(g, value);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static JsonNode value(Random random, int depth) {
    int kind = random.nextInt(depth >= 4 ? 4 : 6);
    return switch (kind) {
      case 0 -> number(random);
      case 1 -> NODES.textNode(TEXTS[random.nextInt(TEXTS.length)]);
      case 2 -> random.nextBoolean() ? NODES.booleanNode(random.nextBoolean()) : NODES.nullNode();
      case 3 -> number(random);
      case 4 -> {
        ObjectNode object = NODES.objectNode();
        for (int i = random.nextInt(5); i > 0; i--) {
          object.set(KEYS[random.nextInt(KEYS.length)] + random.nextInt(3), value(random, depth + 1));
        }
        yield object;
      }
      default -> {
        ArrayNode array = NODES.arrayNode();
        for (int i = random.nextInt(5); i > 0; i--) {
          array.add(value(random, depth + 1));
        }
        yield array;
      }
    };
  }

  private static JsonNode number(Random random) {
    return switch (random.nextInt(6)) {
      case 0 -> NODES.numberNode(random.nextInt(2001) - 1000);
      case 1 -> NODES.numberNode(random.nextLong());
      case 2 -> NODES.numberNode(new BigInteger(90, random).negate());
      case 3 -> NODES.numberNode(random.nextBoolean() ? -0.0 : random.nextDouble() * Math.pow(10, random.nextInt(40) - 20));
      case 4 -> NODES.numberNode(new BigDecimal(BigInteger.valueOf(random.nextInt(100_000)), random.nextInt(12) - 6));
      default -> NODES.numberNode(new BigDecimal("1.500E+" + random.nextInt(30)));
    };
  }
}
