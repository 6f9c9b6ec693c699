package dev.auditflow.server.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.WorkflowJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Makes requests to the whole HTTP API from valid ones, mutated: fields deleted or given the
 * wrong type, huge or deeply nested values, control and NUL characters, broken JSON, invalid
 * UTF-8, wrong content types, unknown or repeated query parameters, odd paths and methods.
 * Deterministic for a seed.
 */
final class RequestFuzzer {
  /** One request to send. */
  record Request(String method, byte[] target, Map<String, String> headers, byte[] body) {
    /** The same request with the credentials most requests carry; one in ten goes without or with a bad one. */
    Request authenticated(String token) {
      Map<String, String> with = new LinkedHashMap<>(headers);
      int roll = Math.floorMod(java.util.Arrays.hashCode(target) ^ (body == null ? 0 : body.length), 20);
      with.put("Authorization", roll == 0 ? "Bearer af_nonsense" : roll == 1 ? "Basic eDp5" : "Bearer " + token);
      return new Request(method, target, with, body);
    }

    String describe() {
      String t = new String(target, StandardCharsets.ISO_8859_1);
      return method + " " + (t.length() > 200 ? t.substring(0, 200) + "…" : t) + " " + headers
          + (body == null ? "" : " body[" + body.length + "]: "
              + new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8));
    }
  }

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String DEEP = "__fuzz_deep_nesting__";
  private static final String[] EVENT_FIELDS = {"event_id", "event_type", "event_timestamp", "event_category",
      "event_action", "event_outcome", "correlation_id", "actor_type", "actor_id", "resource_type", "resource_id",
      "resource_name", "parent_event_id", "namespace", "cluster_name", "severity", "duration_ms", "error_code",
      "error_message", "event_data", "retention_days", "is_sensitive", "version", "unknown_field"};
  private static final String[] QUERY_NAMES = {"correlation_id", "event_type", "event_category", "event_outcome",
      "actor_id", "resource_type", "resource_id", "severity", "since", "until", "limit", "order", "cursor", "offset",
      "status", "environment", "priority", "component", "workflow_name", "latest_only", "bogus", ""};
  private static final String[] PATHS = {"/api/v1/audit/events", "/api/v1/audit/events/count",
      "/api/v1/audit/events/batch", "/api/v1/audit/events/", "/api/v1/audit/verify", "/api/v1/workflows",
      "/api/v1/admin/dlq", "/health/ready", "/health/live", "/openapi.yaml", "/api/v1/nope", "/", "/api/v1/audit/events/count/x"};

  private final SplittableRandom random;
  /** Every route of openapi.yaml, as {@code "GET /api/v1/audit/events/{event_id}"}. */
  private final List<String> documented;
  private int nextDocumented;

  RequestFuzzer(long seed, List<String> documented) {
    this.random = new SplittableRandom(seed);
    this.documented = List.copyOf(documented);
  }

  Request next() {
    if (random.nextInt(4) == 0) {
      // In turn, so that every route is reached a few times per run whatever the seed.
      return documentedRoute(documented.get(nextDocumented++ % documented.size()));
    }
    return switch (random.nextInt(10)) {
      case 0, 1, 2 -> post("/api/v1/audit/events", mutatedEvent());
      case 3, 4 -> post("/api/v1/audit/events/batch", mutatedBatch());
      case 5 -> get(pick(new String[] {"/api/v1/audit/events", "/api/v1/audit/events/count", "/api/v1/workflows"})
          + query());
      case 6 -> get("/api/v1/audit/events/" + oddSegment() + (random.nextBoolean() ? "" : query()));
      case 7 -> post("/api/v1/audit/verify", mutate(verifyRequest()));
      case 8 -> random.nextBoolean() ? post("/api/v1/workflows", mutate(workflow()))
          : new Request("PATCH", ascii("/api/v1/workflows/" + oddSegment()), jsonType(), mutate(statusChange()));
      default -> new Request(pick(new String[] {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"}),
          ascii(pick(PATHS) + (random.nextBoolean() ? query() : "")), jsonType(),
          random.nextBoolean() ? mutate(EventJson.valid("fuzz")) : null);
    };
  }

  /**
   * A request to one documented route: its path parameters odd or plausible, random query
   * parameters, and for a method that takes one a mutated JSON body of some request the API knows.
   */
  private Request documentedRoute(String route) {
    String method = route.substring(0, route.indexOf(' '));
    StringBuilder path = new StringBuilder();
    for (String part : route.substring(route.indexOf(' ') + 1).split("/", -1)) {
      if (!path.isEmpty() || !part.isEmpty()) {
        path.append('/');
      }
      path.append(part.startsWith("{") ? pathValue(part) : part);
    }
    if (path.isEmpty()) {
      path.append('/'); // the root route
    }
    byte[] body = method.equals("GET") || method.equals("DELETE") && random.nextBoolean() ? null
        : mutate(pick(new JsonNode[] {EventJson.valid("fuzz-route"), verifyRequest(), workflow(), statusChange(),
            NODES.objectNode().put("dry_run", random.nextBoolean()), NODES.objectNode().put("reason", oddText()),
            NODES.objectNode().put("name", oddText()).set("roles", NODES.arrayNode().add("reader")),
            NODES.objectNode().put("retention_days", random.nextInt(3000) - 10).put("event_category", "fuzz")}));
    // Odd bytes go into the query only: spliced into the path they would make it another route,
    // and a route that every one of its turns missed so looked unreached (a flaky run, 1 in ~20).
    String query = random.nextBoolean() ? query() : "";
    byte[] target = ascii(path + query);
    if (!query.isEmpty() && random.nextInt(12) == 0) {
      target = splice(target, path.length() + 1, new byte[] {(byte) 0xFF, (byte) 0xC3});
    }
    return new Request(method, target, contentType(), body);
  }

  private String pathValue(String parameter) {
    return switch (parameter) {
      case "{level}" -> pick(new String[] {"0", "1", "63", "64", "-1", "00", "x"});
      case "{index}" -> pick(new String[] {"000", "x001/000", "000.p/5", "x001/x001/x001/x001/x001/x001/x001/000", "abc"});
      case "{file}" -> pick(new String[] {"console.js", "console.css", "..%2Fconsole.js", "nope.js"});
      default -> random.nextBoolean() ? oddSegment() : java.util.UUID.randomUUID().toString();
    };
  }

  private <T> T pick(T[] options) {
    return options[random.nextInt(options.length)];
  }

  private Request post(String path, byte[] body) {
    return new Request("POST", ascii(path), contentType(), body);
  }

  private Request get(String target) {
    return new Request("GET", bytesOf(target), Map.of(), null);
  }

  private Map<String, String> jsonType() {
    return Map.of("Content-Type", "application/json");
  }

  private Map<String, String> contentType() {
    Map<String, String> h = new LinkedHashMap<>();
    switch (random.nextInt(30)) {
      case 0 -> h.put("Content-Type", "text/plain");
      case 1 -> h.put("Content-Type", "application/xml");
      case 2 -> { } // none
      case 3 -> h.put("Content-Type", "application/json; charset=ISO-8859-1");
      case 4 -> h.put("Content-Type", "application/problem+json");
      case 5 -> h.put("Content-Type", "multipart/form-data; boundary=x");
      default -> h.put("Content-Type", "application/json");
    }
    return h;
  }

  private byte[] mutatedEvent() {
    return mutate(mutateFields(EventJson.valid("fuzz-" + random.nextInt(5))));
  }

  private byte[] mutatedBatch() {
    ArrayNode batch = NODES.arrayNode();
    int n = random.nextInt(8) == 0 ? random.nextInt(60) : 1 + random.nextInt(5);
    for (int i = 0; i < n; i++) {
      ObjectNode e = EventJson.valid("fuzz-" + random.nextInt(5));
      batch.add(random.nextInt(3) == 0 ? mutateFields(e) : e);
    }
    if (random.nextInt(10) == 0 && !batch.isEmpty()) {
      batch.add(batch.get(0).deepCopy()); // a repeated event within the batch
    }
    return mutate(random.nextInt(15) == 0 ? mutateFields(EventJson.valid("not-an-array")) : batch);
  }

  private ObjectNode mutateFields(ObjectNode event) {
    int mutations = 1 + random.nextInt(3);
    for (int i = 0; i < mutations; i++) {
      String field = pick(EVENT_FIELDS);
      switch (random.nextInt(4)) {
        case 0 -> event.remove(field);
        case 1 -> event.set(field, oddValue());
        case 2 -> event.put(field, oddText());
        default -> {
          if (field.equals("event_data") || random.nextBoolean()) {
            event.set("event_data", oddEventData());
          } else {
            event.set(field, oddValue());
          }
        }
      }
    }
    return event;
  }

  private JsonNode oddValue() {
    return switch (random.nextInt(12)) {
      case 0 -> NODES.nullNode();
      case 1 -> NODES.booleanNode(random.nextBoolean());
      case 2 -> NODES.numberNode(random.nextLong());
      case 3 -> NODES.numberNode(new java.math.BigDecimal("1e400"));
      case 4 -> NODES.numberNode(new java.math.BigInteger("123456789012345678901234567890123456789"));
      case 5 -> NODES.numberNode(-1);
      case 6 -> NODES.numberNode(random.nextDouble() * 1e6);
      case 7 -> NODES.arrayNode().add(1).add("x");
      case 8 -> NODES.objectNode().put("a", "b");
      case 9 -> NODES.textNode("");
      case 10 -> NODES.textNode(pick(new String[] {"99999-12-31T00:00:00Z", "2026-13-45T25:61:61Z",
          "+1000000000-01-01T00:00:00Z", "2026-01-01", "now", "1970-01-01T00:00:00Z", "00000000-0000-0000-0000-000000000000",
          "not-a-uuid", "SUCCESS", "critical", "high"}));
      default -> NODES.textNode(oddText());
    };
  }

  private String oddText() {
    return switch (random.nextInt(9)) {
      case 0 -> "x".repeat(1 + random.nextInt(300_000));
      case 1 -> "nul\u0000inside";
      case 2 -> "ctrl\u0001\u001f\u007f\b\f";
      case 3 -> "emoji 😀 and \uD83D alone";
      case 4 -> "<script>alert(1)</script>";
      case 5 -> "'; DROP TABLE audit_events; --";
      case 6 -> "\u202Eright-to-left\u200B";
      case 7 -> "   ";
      default -> "ok-" + random.nextInt(1000);
    };
  }

  private JsonNode oddEventData() {
    switch (random.nextInt(6)) {
      case 0:
        // Deeper than Jackson will write: a placeholder, expanded as text by mutate().
        return NODES.textNode(DEEP + (1 + random.nextInt(3_000)));
      case 1: {
        ObjectNode wide = NODES.objectNode();
        int n = random.nextInt(20_000);
        for (int i = 0; i < n; i++) {
          wide.put("k" + i, i);
        }
        return wide;
      }
      case 2:
        return NODES.objectNode().put("big", "y".repeat(random.nextInt(400_000)));
      case 3:
        return NODES.objectNode().put("nul\u0000key", 1);
      case 4:
        return NODES.arrayNode().add(1);
      default:
        return NODES.objectNode().set("n", oddValue());
    }
  }

  /** Serialises, then maybe breaks the bytes: truncation, invalid UTF-8, garbage, duplicate keys. */
  private byte[] mutate(JsonNode json) {
    String text;
    try {
      text = AuditEventJson.mapper().writeValueAsString(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    java.util.regex.Matcher deep = java.util.regex.Pattern.compile("\"" + DEEP + "(\\d+)\"").matcher(text);
    if (deep.find()) {
      int depth = Integer.parseInt(deep.group(1));
      text = deep.replaceFirst("{\"deep\":" + "[".repeat(depth) + "]".repeat(depth) + "}");
    }
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return switch (random.nextInt(10)) {
      case 0 -> java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
      case 1 -> splice(bytes, new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE});
      case 2 -> splice(bytes, "\",,}]{[".getBytes(StandardCharsets.US_ASCII));
      case 3 -> new byte[0];
      case 4 -> ("{\"event_type\":\"a\",\"event_type\":\"b\"," + new String(bytes, StandardCharsets.UTF_8).substring(1))
          .getBytes(StandardCharsets.UTF_8);
      case 5 -> "null".getBytes(StandardCharsets.US_ASCII);
      default -> bytes;
    };
  }

  private byte[] splice(byte[] bytes, byte[] insert) {
    return splice(bytes, 0, insert);
  }

  /** {@code insert} at a random place at or after {@code from}. */
  private byte[] splice(byte[] bytes, int from, byte[] insert) {
    int at = from + random.nextInt(bytes.length - from + 1);
    byte[] out = new byte[bytes.length + insert.length];
    System.arraycopy(bytes, 0, out, 0, at);
    System.arraycopy(insert, 0, out, at, insert.length);
    System.arraycopy(bytes, at, out, at + insert.length, bytes.length - at);
    return out;
  }

  private JsonNode verifyRequest() {
    ObjectNode v = NODES.objectNode();
    switch (random.nextInt(4)) {
      case 0 -> v.put("correlation_id", "fuzz-" + random.nextInt(5));
      case 1 -> v.put("since", "2026-01-01T00:00:00Z").put("until", "2027-01-01T00:00:00Z");
      case 2 -> v.set("correlation_id", oddValue());
      default -> v.set("since", oddValue());
    }
    return v;
  }

  private JsonNode workflow() {
    try {
      ObjectNode w = (ObjectNode) AuditEventJson.mapper().readTree(
          WorkflowJson.valid("fuzz-" + random.nextInt(50), "v" + random.nextInt(5)).toString());
      if (random.nextBoolean()) {
        w.set(pick(new String[] {"workflow_name", "version", "content", "content_hash", "labels", "parameters",
            "status", "owner", "bogus"}), oddValue());
      }
      return w;
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private JsonNode statusChange() {
    ObjectNode s = NODES.objectNode().put("status", pick(new String[] {"disabled", "active", "nope"}));
    if (random.nextBoolean()) {
      s.set(pick(new String[] {"status_reason", "updated_by", "name"}), oddValue());
    }
    return s;
  }

  private String oddSegment() {
    return pick(new String[] {"0189f0e2-9c3a-7d4e-8f00-000000000001", "not-a-uuid", "%00", "%FF%FE", "count",
        "..%2F..%2Fetc%2Fpasswd", "x".repeat(2_000), "00000000-0000-0000-0000-000000000000", "%E2%82%AC"});
  }

  private String query() {
    int n = random.nextInt(5);
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String name = pick(QUERY_NAMES);
      String value = pick(new String[] {"x", "", "%00", "%FF", "%E2%82%AC", "-1", "0", "1001", "99999999999999999999",
          "asc", "desc", "sideways", "1h30m", "7d", "2026-01-01", "2026-01-01T00:00:00", "2026-01-01T00:00:00Z",
          "y".repeat(5_000), "%", "a%2", "+", "success", "critical", "high", "true", "P1", "*"});
      parts.add(name + (random.nextInt(10) == 0 ? "" : "=" + value));
    }
    return parts.isEmpty() ? "" : "?" + String.join("&", parts);
  }

  /** A target as bytes, sometimes with a raw non-ASCII or invalid UTF-8 byte in it. */
  private byte[] bytesOf(String target) {
    byte[] bytes = ascii(target);
    if (random.nextInt(12) == 0) {
      return splice(bytes, new byte[] {(byte) 0xFF, (byte) 0xC3});
    }
    return bytes;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

}
