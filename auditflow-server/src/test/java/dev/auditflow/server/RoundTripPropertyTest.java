package dev.auditflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.EventValidator;
import dev.auditflow.api.Timestamps;
import dev.auditflow.api.UuidV7;
import dev.auditflow.verify.ExportVerifier;
import dev.auditflow.verify.PublicKeys;
import dev.auditflow.server.testing.LogRounds;
import dev.auditflow.server.testing.ServerFixture;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Whatever ingest acknowledges can be read back, verified and exported — for any JSON at all
 * (hardening finding 2: one {@code 1e9999} from a writer made every later read of the trail fail).
 * Random events, written as JSON text with every form of number and string a producer may send,
 * are posted one by one: each is either refused with a 400 naming the field — exactly when the
 * generator put something unstorable in it — or acknowledged, and then it must come back equal
 * from the query API, verify in its chain, appear in both export formats, and be proven in the
 * verifiable log by the offline export verifier (which recomputes each event's leaf).
 */
class RoundTripPropertyTest {
  private static final long SEED = 0x5EED_2023L;
  private static final int EVENTS = 300;

  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();

  /** One generated event: its JSON text, and whether the generator put something unstorable in it. */
  private record Generated(String id, String correlation, String json, boolean unstorable) {}

  @Test
  void everyAcknowledgedEventReadsVerifiesExportsAndProvesAsSent() throws Exception {
    Random random = new Random(SEED);
    Map<String, Generated> stored = new HashMap<>();
    int refused = 0;
    for (int i = 0; i < EVENTS; i++) {
      Generated g = new Generator(random).event("roundtrip-" + (i % 7));
      var r = fx.postJson("/api/v1/audit/events", g.json());
      if (g.unstorable()) {
        assertThat(r.status()).as("seed %x event %d answered %s to %s", SEED, i, printable(r.body()), printable(g.json())).isEqualTo(400);
        // Named: the field, or (for a lone surrogate in a key, which Jackson refuses while parsing) the position.
        assertThat(r.json().path("errors").path(0).path("field").asText()
            + r.json().path("detail").asText().replaceAll("^malformed JSON at line \\d+, column \\d+: .*surrogate.*$", "at"))
            .as(printable(r.body())).matches(".*(event_data|actor_id|resource_name|error_message|event_type|event_action|at).*");
        refused++;
      } else {
        assertThat(r.status()).as("seed %x event %d answered %s to %s", SEED, i, printable(r.body()), printable(g.json())).isEqualTo(201);
        stored.put(g.id(), g);
      }
    }
    assertThat(refused).as("the generator exercised the refusals too").isGreaterThan(10);
    assertThat(stored).hasSizeGreaterThan(EVENTS / 2);

    for (Generated g : stored.values()) {
      var byId = fx.get("/api/v1/audit/events/" + g.id());
      assertThat(byId.status()).as(byId.body()).isEqualTo(200);
      assertSameEvent(AuditEventJson.mapper().readTree(g.json()), byId.json(), printable(g.json()));
    }
    int paged = 0;
    for (int c = 0; c < 7; c++) {
      var page = fx.get("/api/v1/audit/events?limit=1000&correlation_id=roundtrip-" + c);
      assertThat(page.status()).as(page.body()).isEqualTo(200);
      paged += page.json().get("data").size();
      var verified = fx.postJson("/api/v1/audit/verify", "{\"correlation_id\":\"roundtrip-" + c + "\"}").json();
      assertThat(verified.get("verified").asBoolean()).as(verified.toString()).isTrue();
    }
    assertThat(paged).isEqualTo(stored.size());

    var json = fx.get("/api/v1/audit/export?event_category=roundtrip&limit=10000");
    assertThat(json.status()).as(json.body()).isEqualTo(200);
    assertThat(json.json().get("events")).hasSize(stored.size());
    LogRounds.integrateAll(fx.server());
    var ndjson = fx.get("/api/v1/audit/export?format=ndjson&event_category=roundtrip");
    assertThat(ndjson.status()).isEqualTo(200);
    ExportVerifier.Result result = new ExportVerifier(PublicKeys.fromPem(fx.get("/api/v1/audit/signing-key?format=pem").body()),
        null).verify(new ByteArrayInputStream(ndjson.body().getBytes(StandardCharsets.UTF_8)));
    assertThat(result.findings()).isEmpty();
    assertThat(result.events()).isEqualTo(stored.size());
    assertThat(result.eventsInLog()).isEqualTo(stored.size());
  }

  /** Test output must survive any character: everything outside printable ASCII as a \\u escape. */
  private static String printable(String text) {
    StringBuilder s = new StringBuilder();
    text.chars().forEach(c -> s.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\u%04x", c)));
    return s.toString();
  }

  /** Fields as sent; numbers by value (PostgreSQL writes 1.5e3 back as 1500), everything else exactly. */
  private static void assertSameEvent(JsonNode sent, JsonNode read, String context) {
    for (Iterator<String> names = sent.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (name.equals("event_timestamp")) {
        assertThat(read.get(name).asText()).isEqualTo(Timestamps.format(Timestamps.parse(sent.get(name).asText())));
      } else {
        assertSameValue(sent.get(name), read.get(name), context + " field " + name);
      }
    }
  }

  private static void assertSameValue(JsonNode sent, JsonNode read, String context) {
    assertThat(read).as(context).isNotNull();
    if (sent.isNumber()) {
      assertThat(read.isNumber()).as(context).isTrue();
      assertThat(read.decimalValue().compareTo(sent.decimalValue())).as(context + ": " + sent + " vs " + read).isZero();
    } else if (sent.isObject()) {
      assertThat(read.isObject()).as(context).isTrue();
      assertThat(read.size()).as(context).isEqualTo(sent.size());
      sent.fields().forEachRemaining(f -> assertSameValue(f.getValue(), read.get(f.getKey()), context + "." + f.getKey()));
    } else if (sent.isArray()) {
      assertThat(read.size()).as(context).isEqualTo(sent.size());
      for (int i = 0; i < sent.size(); i++) {
        assertSameValue(sent.get(i), read.get(i), context + "[" + i + "]");
      }
    } else {
      assertThat(read).as(context).isEqualTo(sent);
    }
  }

  /** Writes random events as JSON text, the way any producer might: escapes or raw characters, every number form. */
  private static final class Generator {
    private static final String[] ALPHABET = {"a", "Z", "0", " ", "\"", "\\", "/", "\t", "\n", "\u0001", "\u001f", "é",
        "ß", "中", "\u0301", "\u2028", "\uFEFF", "\uFFFD", "\uD83D\uDE00", "\uD834\uDD1E", "<", "&", "'", "%", "$"};
    private final Random random;
    private boolean unstorable;

    Generator(Random random) {
      this.random = random;
    }

    Generated event(String correlation) {
      String id = UuidV7.generate().toString();
      StringBuilder json = new StringBuilder("{");
      field(json, "event_id", quoted(id));
      field(json, "event_type", quoted("roundtrip." + text(12)));
      field(json, "event_timestamp", quoted(Timestamps.format(Instant.now().minusMillis(random.nextInt(3_600_000)))));
      field(json, "event_category", quoted("roundtrip"));
      field(json, "event_action", quoted("act" + text(20)));
      field(json, "event_outcome", quoted(random.nextBoolean() ? "success" : "failure"));
      field(json, "correlation_id", quoted(correlation));
      field(json, "actor_id", quoted(text(30)));
      field(json, "resource_name", quoted(text(30)));
      field(json, "error_message", quoted(text(60)));
      json.append("\"event_data\":");
      object(json, 1);
      json.append('}');
      return new Generated(id, correlation, json.toString(), unstorable);
    }

    private void field(StringBuilder json, String name, String value) {
      json.append('"').append(name).append("\":").append(value).append(',');
    }

    /** Non-empty text, now and then with a lone surrogate (unstorable). */
    private String text(int maxLength) {
      StringBuilder s = new StringBuilder();
      int length = 1 + random.nextInt(maxLength);
      for (int i = 0; i < length; i++) {
        s.append(ALPHABET[random.nextInt(ALPHABET.length)]);
      }
      if (random.nextInt(200) == 0) {
        s.append(random.nextBoolean() ? '\uD800' : '\uDFFF');
        unstorable = true;
      }
      return s.toString();
    }

    /**
     * A JSON string: escaped by Jackson, or with every character as a \\u escape — always so for a
     * lone surrogate, which UTF-8 cannot carry (sent raw, it would arrive as "?").
     */
    private String quoted(String text) {
      boolean lone = text.chars().anyMatch(c -> Character.isSurrogate((char) c))
          && !text.codePoints().allMatch(c -> c > 0xFFFF || !Character.isSurrogate((char) c));
      if (!lone && random.nextInt(5) > 0) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + "\"";
      }
      StringBuilder s = new StringBuilder("\"");
      text.chars().forEach(c -> s.append(String.format("\\u%04x", c)));
      return s.append('"').toString();
    }

    private void object(StringBuilder json, int depth) {
      json.append('{');
      int fields = random.nextInt(depth == 1 ? 8 : 4);
      for (int i = 0; i < fields; i++) {
        if (i > 0) {
          json.append(',');
        }
        json.append(quoted(text(10))).append(':');
        value(json, depth);
      }
      json.append('}');
    }

    private void value(StringBuilder json, int depth) {
      int kind = random.nextInt(depth < EventValidator.MAX_EVENT_DATA_DEPTH ? 8 : 6);
      switch (kind) {
        case 0, 1 -> json.append(quoted(text(40)));
        case 2, 3 -> json.append(number());
        case 4 -> json.append(random.nextBoolean());
        case 5 -> json.append("null");
        case 6 -> object(json, depth + 1);
        default -> {
          json.append('[');
          int n = random.nextInt(4);
          for (int i = 0; i < n; i++) {
            if (i > 0) {
              json.append(',');
            }
            value(json, depth + 1);
          }
          json.append(']');
        }
      }
    }

    /** A number in one of the forms JSON allows; one in about fifteen beyond the digit bounds (unstorable). */
    private String number() {
      int digits = EventValidator.MAX_NUMBER_DIGITS;
      return switch (random.nextInt(8)) {
        case 0 -> Integer.toString(random.nextInt());
        case 1 -> Long.toString(random.nextLong());
        case 2 -> new BigInteger(1 + random.nextInt(1_090), random).toString(); // up to 329 digits
        case 3 -> Double.toString(random.nextDouble() * Math.pow(10, random.nextInt(600) - 300));
        case 4 -> {
          BigDecimal d = new BigDecimal(new BigInteger(1 + random.nextInt(120), random), random.nextInt(2 * digits) - digits);
          long before = d.signum() == 0 ? 1 : (long) d.precision() - d.scale();
          unstorable |= before > digits || d.scale() > digits;
          String text = random.nextBoolean() ? d.toString() : d.toPlainString();
          yield (random.nextBoolean() ? "-" : "") + text.replace("E+", random.nextBoolean() ? "e" : "E+");
        }
        case 5 -> random.nextBoolean() ? "0.50" : "-0";
        case 6 -> random.nextBoolean() ? "1e" + (random.nextInt(digits - 1)) : "1E-" + random.nextInt(digits + 1);
        default -> {
          if (random.nextInt(2) == 0) {
            unstorable = true;
            yield random.nextBoolean() ? "1e" + (digits + random.nextInt(20_000)) : "1e-" + (digits + 1 + random.nextInt(20_000));
          }
          yield "12.5";
        }
      };
    }
  }
}
