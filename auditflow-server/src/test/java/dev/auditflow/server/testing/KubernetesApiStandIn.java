package dev.auditflow.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.auditflow.api.AuditEventJson;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A stand-in for the two Kubernetes API server endpoints auditflow calls — TokenReview and
 * SubjectAccessReview (authentication.k8s.io/v1, authorization.k8s.io/v1), answered as their
 * documented contract says — since no API server can run here. Tokens map to users; each user has
 * the verbs its RoleBinding would grant on {@code services/data-storage-service} in one namespace.
 * The caller must present the server's own service-account token, as the real API server demands.
 */
public final class KubernetesApiStandIn implements AutoCloseable {
  private final HttpServer server;
  private final String serverToken;
  private final Path serverTokenFile;
  private final Map<String, String> users;
  private final Map<String, Set<String>> verbs;
  private final String namespace;
  private final AtomicInteger tokenReviews = new AtomicInteger();
  private final AtomicInteger accessReviews = new AtomicInteger();

  /**
   * @param users bearer token → user name (TokenReview)
   * @param verbs user name → verbs allowed on the service in {@code namespace} (SubjectAccessReview)
   */
  public KubernetesApiStandIn(String namespace, Map<String, String> users, Map<String, Set<String>> verbs)
      throws IOException {
    this.namespace = namespace;
    this.users = Map.copyOf(users);
    this.verbs = Map.copyOf(verbs);
    this.serverToken = "stand-in-server-token-" + System.nanoTime();
    this.serverTokenFile = Files.createTempFile("sa", ".token");
    Files.writeString(serverTokenFile, serverToken + "\n");
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/apis/authentication.k8s.io/v1/tokenreviews", e -> answer(e, this::tokenReview));
    server.createContext("/apis/authorization.k8s.io/v1/subjectaccessreviews", e -> answer(e, this::accessReview));
    server.start();
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The file holding the token auditflow must call the API server with ({@code --k8s-token-file}). */
  public Path serverTokenFile() {
    return serverTokenFile;
  }

  public String namespace() {
    return namespace;
  }

  public int tokenReviews() {
    return tokenReviews.get();
  }

  public int accessReviews() {
    return accessReviews.get();
  }

  private void answer(HttpExchange exchange, Function<JsonNode, ObjectNode> review) throws IOException {
    if (!("Bearer " + serverToken).equals(exchange.getRequestHeaders().getFirst("Authorization"))
        || !"POST".equals(exchange.getRequestMethod())) {
      exchange.sendResponseHeaders(401, -1);
      exchange.close();
      return;
    }
    JsonNode request = AuditEventJson.mapper().readTree(exchange.getRequestBody().readAllBytes());
    ObjectNode body = AuditEventJson.mapper().createObjectNode();
    body.put("apiVersion", request.path("apiVersion").asText()).put("kind", request.path("kind").asText());
    body.set("status", review.apply(request.path("spec")));
    byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(201, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  private ObjectNode tokenReview(JsonNode spec) {
    tokenReviews.incrementAndGet();
    ObjectNode status = AuditEventJson.mapper().createObjectNode();
    String user = users.get(spec.path("token").asText());
    status.put("authenticated", user != null);
    if (user != null) {
      ObjectNode u = status.putObject("user").put("username", user).put("uid", "uid-" + user.hashCode());
      u.putArray("groups").add("system:serviceaccounts").add("system:serviceaccounts:" + namespace)
          .add("system:authenticated");
    } else {
      status.put("error", "token not found");
    }
    return status;
  }

  private ObjectNode accessReview(JsonNode spec) {
    accessReviews.incrementAndGet();
    JsonNode resource = spec.path("resourceAttributes");
    boolean allowed = namespace.equals(resource.path("namespace").asText())
        && "services".equals(resource.path("resource").asText())
        && "data-storage-service".equals(resource.path("name").asText())
        && spec.path("groups").isArray()
        && verbs.getOrDefault(spec.path("user").asText(), Set.of()).contains(resource.path("verb").asText());
    return AuditEventJson.mapper().createObjectNode().put("allowed", allowed);
  }

  @Override
  public void close() throws IOException {
    server.stop(0);
    Files.deleteIfExists(serverTokenFile);
  }
}
