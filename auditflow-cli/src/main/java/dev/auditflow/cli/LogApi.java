package dev.auditflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEventJson;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** The log's HTTP API as the {@code log} commands call it. */
final class LogApi {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private final ApiClient client;

  LogApi(ApiClient client) {
    this.client = client;
  }

  String checkpoint() throws IOException {
    return body("/api/v1/log/checkpoint");
  }

  List<byte[]> consistency(long first, long second) throws IOException {
    return hashes(json("/api/v1/log/proof/consistency?first=" + first + "&second=" + second).get("consistency_path"));
  }

  JsonNode inclusion(String eventId, long treeSize) throws IOException {
    return json("/api/v1/log/proof/inclusion?event_id=" + eventId + "&tree_size=" + treeSize);
  }

  JsonNode entries(long start, int limit) throws IOException {
    return json("/api/v1/log/entries?start=" + start + "&limit=" + limit);
  }

  static List<byte[]> hashes(JsonNode array) {
    List<byte[]> out = new ArrayList<>();
    array.forEach(h -> out.add(Base64.getDecoder().decode(h.asText())));
    return out;
  }

  private JsonNode json(String path) throws IOException {
    return AuditEventJson.mapper().readTree(body(path));
  }

  private String body(String path) throws IOException {
    HttpResponse<String> r;
    try {
      r = client.get(path, TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    return ApiClient.expect(r, 200, "GET " + path).body();
  }
}
