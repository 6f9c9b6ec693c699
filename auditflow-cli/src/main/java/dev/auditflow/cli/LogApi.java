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
  /** Where the log's own routes are: the root log's, or a shard's (docs/SCALE.md). */
  private final String log;

  LogApi(ApiClient client) {
    this(client, null);
  }

  /** @param shard a shard's own log, or null for the (root) log */
  LogApi(ApiClient client, String shard) {
    this.client = client;
    this.log = shard == null ? "/api/v1/log" : "/api/v1/log/shards/" + shard;
  }

  String checkpoint() throws IOException {
    return body(log + "/checkpoint");
  }

  List<byte[]> consistency(long first, long second) throws IOException {
    return hashes(json(log + "/proof/consistency?first=" + first + "&second=" + second).get("consistency_path"));
  }

  /** An event's proof in the root log (through its shard's checkpoint when it is on a shard). */
  JsonNode inclusion(String eventId, long treeSize) throws IOException {
    return json("/api/v1/log/proof/inclusion?event_id=" + eventId + "&tree_size=" + treeSize);
  }

  JsonNode entries(long start, int limit) throws IOException {
    return json(log + "/entries?start=" + start + "&limit=" + limit);
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
