package dev.auditflow.cli.kubernaut;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.server.kubernaut.KubernautEvent;
import dev.auditflow.server.kubernaut.OgenDecoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Kubernaut's Data Storage client, as its e2e tests call it, against a served jar: a bearer token
 * (a ServiceAccount's), JSON bodies as its ogen encoder writes them ({@link KubernautEvent}), and
 * answers read as its ogen decoders read them ({@link OgenDecoder}).
 */
final class KubernautApi {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final URI base;
  private final String token;
  private final Runnable afterWrite;

  /** @param afterWrite run after every accepted write of events, before the answer is returned */
  KubernautApi(URI base, String token, Runnable afterWrite) {
    this.base = base;
    this.token = token;
    this.afterWrite = afterWrite;
  }

  URI base() {
    return base;
  }

  /** The same client without credentials. */
  KubernautApi anonymous() {
    return new KubernautApi(base, null, afterWrite);
  }

  /** @param body JSON, or null for none */
  HttpResponse<String> send(String method, String path, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMinutes(1));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
        : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
    try {
      HttpResponse<String> answer = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      if (method.equals("POST") && path.startsWith("/api/v1/audit/events") && answer.statusCode() / 100 == 2) {
        afterWrite.run();
      }
      return answer;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<String> get(String path) {
    return send("GET", path, null);
  }

  HttpResponse<String> post(String path, String body) {
    return send("POST", path, body);
  }

  /** {@code CreateAuditEvent}: the event id of a 201 (or the 202's answer). */
  String createAuditEvent(KubernautEvent event) {
    JsonNode answer = OgenDecoder.createAuditEvent(post("/api/v1/audit/events", event.json().toString()));
    return answer.path("event_id").asText(null);
  }

  /** {@code CreateAuditEventsBatch}: the event ids, in the batch's order. */
  List<String> createAuditEventsBatch(List<KubernautEvent> events) {
    ArrayNode batch = AuditEventJson.mapper().createArrayNode();
    events.forEach(e -> batch.add(e.json()));
    List<String> ids = new ArrayList<>();
    OgenDecoder.createAuditEventsBatch(post("/api/v1/audit/events/batch", batch.toString())).get("event_ids")
        .forEach(id -> ids.add(id.asText()));
    return ids;
  }

  /** {@code QueryAuditEvents}: one page. */
  JsonNode queryAuditEvents(String query) {
    return OgenDecoder.queryAuditEvents(get("/api/v1/audit/events?" + query));
  }

  /** Every page, as Kubernaut's tests walk them: limit 100, offset on until a short page. */
  List<JsonNode> queryAll(String query) {
    List<JsonNode> all = new ArrayList<>();
    for (int offset = 0; ; offset += 100) {
      JsonNode page = queryAuditEvents(query + "&limit=100&offset=" + offset).get("data");
      page.forEach(all::add);
      if (page.size() < 100) {
        return all;
      }
    }
  }

  /** {@code ExportAuditEvents}: the JSON export ({@code AuditExportResponse}). */
  JsonNode exportAuditEvents(String query) {
    HttpResponse<String> r = get("/api/v1/audit/export?" + query);
    if (r.statusCode() != 200) {
      throw new AssertionError("export answered " + r.statusCode() + ": " + r.body());
    }
    return json(r);
  }

  /** {@code VerifyAuditChain}. */
  JsonNode verifyAuditChain(String correlationId) {
    ObjectNode body = AuditEventJson.mapper().createObjectNode().put("correlation_id", correlationId);
    return OgenDecoder.verifyAuditChain(post("/api/v1/audit/verify-chain", body.toString()));
  }

  static JsonNode json(HttpResponse<String> r) {
    try {
      return AuditEventJson.mapper().readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
