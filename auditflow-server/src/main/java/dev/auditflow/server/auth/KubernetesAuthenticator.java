package dev.auditflow.server.auth;

import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;
import dev.auditflow.server.failure.UnavailableException;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.Pem;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kubernetes TokenReview + SubjectAccessReview ({@link KubernetesSettings}). Answers are cached
 * for a short while, keyed by the token's hash (never the token) and by user and verb, so a busy
 * client costs the API server a review per half minute, not one per request.
 */
public final class KubernetesAuthenticator implements Authenticator {
  private static final ObjectMapper JSON = AuditEventJson.mapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final int MAX_CACHED = 10_000;

  private record User(String name, String uid, List<String> groups) {}

  private record Cached<T>(T value, Instant until) {}

  private final KubernetesSettings settings;
  private final Clock clock;
  private final HttpClient http;
  private final Map<String, Cached<User>> reviews = new ConcurrentHashMap<>();
  private final Map<String, Cached<Boolean>> access = new ConcurrentHashMap<>();

  public KubernetesAuthenticator(KubernetesSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(TIMEOUT);
    if (settings.caFile() != null) {
      builder.sslContext(Pem.trusting(settings.caFile()));
    }
    this.http = builder.build();
  }

  @Override
  public Optional<Principal> authenticate(String bearerToken) {
    String key = ApiTokens.hash(bearerToken);
    User user = cached(reviews, key).orElseGet(() -> {
      User reviewed = tokenReview(bearerToken);
      remember(reviews, key, reviewed);
      return reviewed;
    });
    return Optional.of(new Principal(Principal.name("kubernetes", user.name(), "the Kubernetes user name"),
        "kubernetes", role -> allowed(user, role)));
  }

  private User tokenReview(String token) {
    ObjectNode review = JSON.createObjectNode().put("apiVersion", "authentication.k8s.io/v1").put("kind", "TokenReview");
    review.putObject("spec").put("token", token);
    JsonNode status = post("/apis/authentication.k8s.io/v1/tokenreviews", review).path("status");
    if (!status.path("authenticated").asBoolean(false)) {
      String error = status.path("error").asText("");
      throw new AuthenticationException(AuthenticationException.Reason.UNKNOWN,
          "the Kubernetes API server did not authenticate it" + (error.isEmpty() ? "" : " (" + error + ")"));
    }
    JsonNode user = status.path("user");
    if (user.path("username").asText("").isEmpty()) {
      throw new AuthenticationException(AuthenticationException.Reason.INVALID, "the TokenReview names no user");
    }
    List<String> groups = new ArrayList<>();
    user.path("groups").forEach(g -> groups.add(g.asText()));
    return new User(user.path("username").asText(), user.path("uid").asText(""), List.copyOf(groups));
  }

  private boolean allowed(User user, Role role) {
    String verb = settings.roleVerbs().get(role);
    if (verb == null) {
      return false;
    }
    String key = user.name() + "\u0000" + verb;
    return cached(access, key).orElseGet(() -> {
      boolean allowed = subjectAccessReview(user, verb) || (role == Role.READER && allowed(user, Role.AUDITOR));
      remember(access, key, allowed);
      return allowed;
    }) || (role != Role.ADMIN && allowed(user, Role.ADMIN));
  }

  private boolean subjectAccessReview(User user, String verb) {
    ObjectNode review = JSON.createObjectNode().put("apiVersion", "authorization.k8s.io/v1")
        .put("kind", "SubjectAccessReview");
    ObjectNode spec = review.putObject("spec").put("user", user.name());
    if (!user.uid().isEmpty()) {
      spec.put("uid", user.uid());
    }
    user.groups().forEach(spec.putArray("groups")::add);
    spec.putObject("resourceAttributes").put("namespace", settings.namespace()).put("verb", verb)
        .put("group", settings.resourceGroup()).put("resource", settings.resource()).put("name", settings.resourceName());
    return post("/apis/authorization.k8s.io/v1/subjectaccessreviews", review).path("status").path("allowed")
        .asBoolean(false);
  }

  private JsonNode post(String path, ObjectNode body) {
    try {
      String serverToken = Files.readString(settings.tokenFile(), StandardCharsets.UTF_8).trim();
      HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(settings.apiServer().toString()
              .replaceAll("/+$", "") + path))
          .timeout(TIMEOUT)
          .header("Content-Type", "application/json")
          .header("Authorization", "Bearer " + serverToken)
          .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 201 && r.statusCode() != 200) {
        throw new KubernetesUnavailableException("the Kubernetes API server answered " + r.statusCode() + " to " + path);
      }
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new KubernetesUnavailableException("cannot reach the Kubernetes API server: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KubernetesUnavailableException("interrupted while asking the Kubernetes API server");
    }
  }

  private <T> void remember(Map<String, Cached<T>> cache, String key, T value) {
    Instant now = clock.instant();
    if (cache.size() >= MAX_CACHED) {
      // Rotated tokens leave entries nobody asks for again: drop the expired ones.
      cache.values().removeIf(c -> !now.isBefore(c.until()));
    }
    cache.put(key, new Cached<>(value, now.plus(settings.cacheTtl())));
  }

  private <T> Optional<T> cached(Map<String, Cached<T>> cache, String key) {
    Cached<T> c = cache.get(key);
    if (c == null || !clock.instant().isBefore(c.until())) {
      cache.remove(key);
      return Optional.empty();
    }
    return Optional.of(c.value());
  }

  /** The API server cannot be asked: a 503, not a 401 — the caller's token may be fine. */
  public static final class KubernetesUnavailableException extends UnavailableException {
    KubernetesUnavailableException(String message) {
      super(message, null, "kubernetes api unavailable");
    }

    @Override
    public Problem problem(Answering request) {
      return Problem.of(ProblemType.SERVICE_UNAVAILABLE, "the Kubernetes API server could not be asked who you are; retry");
    }
  }
}
