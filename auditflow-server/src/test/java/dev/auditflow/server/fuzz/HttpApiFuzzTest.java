package dev.auditflow.server.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.server.auth.AuthSettings;
import dev.auditflow.server.testing.ServerFixture;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Mutated and malformed requests against every route of a real server on a real database — each
 * route of openapi.yaml is requested, checked per seed — the server answers every one (no dropped
 * connection), never with a 5xx, and stores exactly the events it acknowledged. One run with a fixed seed (the same requests every time) and one with
 * a fresh seed that is printed, so a failure can be replayed: {@code -Dfuzz.seed=…}.
 */
class HttpApiFuzzTest {
  private static final long FIXED_SEED = 20_261_127L;
  private static final int REQUESTS_PER_SEED = 600;

  @Test
  void fixedSeed() throws Exception {
    fuzz(FIXED_SEED);
  }

  @Test
  void freshSeed() throws Exception {
    long seed = Long.getLong("fuzz.seed", System.nanoTime());
    System.out.println("HttpApiFuzzTest fresh seed: " + seed + " (replay with -Dfuzz.seed=" + seed + ")");
    fuzz(seed);
  }

  private static void fuzz(long seed) throws Exception {
    // One address sends every request, a tenth of them with bad credentials: no failure limit here.
    AuthSettings auth = new AuthSettings(true, null, null, null, Set.of(), Set.of(), 1_000_000, null);
    try (ServerFixture fx = ServerFixture.start(b -> b.maxBatchSize(50).maxBodyBytes(512 * 1024).auth(auth))) {
      RawHttp http = new RawHttp(fx.server().port());
      List<String> documented = documentedRoutes(fx);
      RequestFuzzer fuzzer = new RequestFuzzer(seed, documented);
      Set<String> reached = new HashSet<>();
      Set<String> acknowledged = new HashSet<>();
      List<String> failures = new ArrayList<>();
      java.util.Map<Integer, Integer> statuses = new java.util.TreeMap<>();
      for (int i = 0; i < REQUESTS_PER_SEED; i++) {
        RequestFuzzer.Request request = fuzzer.next().authenticated(fx.adminToken());
        reached.add(request.method() + " " + new String(request.target(), java.nio.charset.StandardCharsets.ISO_8859_1));
        try {
          RawHttp.Response answer = http.send(request.method(), request.target(), request.headers(), request.body());
          statuses.merge(answer.status(), 1, Integer::sum);
          if (answer.status() >= 500) {
            failures.add("#" + i + " " + answer.status() + " for " + request.describe() + " -> " + answer.bodyText());
          } else if (answer.status() / 100 == 2 && request.method().equals("POST")) {
            acknowledged.addAll(acknowledgedIds(request, answer));
          }
        } catch (RawHttp.Dropped e) {
          failures.add("#" + i + " dropped connection for " + request.describe() + ": " + e.getMessage());
        }
      }
      System.out.println("HttpApiFuzzTest seed " + seed + ": answers by status " + statuses + ", events acknowledged "
          + acknowledged.size());
      assertThat(failures).as("seed %d: 5xx answers or dropped connections", seed).isEmpty();
      // The mix reaches past the first checks: some requests are stored, most are refused.
      assertThat(statuses.keySet()).as("seed %d: statuses seen", seed).contains(200, 201, 400);
      assertThat(storedEventIds(fx)).as("seed %d: exactly the acknowledged events are stored", seed)
          .isEqualTo(acknowledged);
      assertThat(acknowledged).as("seed %d: some requests were valid and stored", seed).isNotEmpty();
      for (String route : documented) {
        java.util.regex.Pattern template = java.util.regex.Pattern.compile(
            java.util.regex.Pattern.quote(route).replaceAll("\\{[a-z_]+\\}", "\\\\E[^?]+\\\\Q") + "(\\?.*)?");
        assertThat(reached).as("seed %d: %s was requested", seed, route)
            .anyMatch(r -> template.matcher(r).matches());
      }
    }
  }

  /** Every route openapi.yaml documents, as {@code "METHOD /path/{param}"}. */
  private static List<String> documentedRoutes(ServerFixture fx) throws Exception {
    JsonNode paths = new com.fasterxml.jackson.databind.ObjectMapper(
        new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(fx.get("/openapi.yaml").body()).get("paths");
    List<String> routes = new ArrayList<>();
    paths.fields().forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(method -> {
      if (Set.of("get", "post", "put", "patch", "delete").contains(method)) {
        routes.add(method.toUpperCase(java.util.Locale.ROOT) + " " + p.getKey());
      }
    }));
    return routes;
  }

  /** The event ids a 2xx ingest answer acknowledges (an ingest route answers with them). */
  private static Set<String> acknowledgedIds(RequestFuzzer.Request request, RawHttp.Response answer) throws Exception {
    String target = new String(request.target(), java.nio.charset.StandardCharsets.ISO_8859_1);
    Set<String> ids = new HashSet<>();
    if (!target.startsWith("/api/v1/audit/events")) {
      return ids;
    }
    JsonNode body = AuditEventJson.mapper().readTree(answer.body());
    if (body.has("event_ids")) {
      body.get("event_ids").forEach(id -> ids.add(id.asText()));
    } else if (body.has("event_id")) {
      ids.add(body.get("event_id").asText());
    }
    return ids;
  }

  /** Every audit event in the database except the ones the service writes about itself (workflow changes, access). */
  private static Set<String> storedEventIds(ServerFixture fx) throws Exception {
    Set<String> ids = new HashSet<>();
    try (Connection c = DriverManager.getConnection(fx.jdbcUrl()); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(
            "SELECT event_id FROM audit_events WHERE event_type NOT LIKE 'datastorage.workflow.%'"
                + " AND event_category <> 'auditflow'")) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    return ids;
  }
}
