package dev.auditflow.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.auditflow.server.otlp.OtlpRoutes;
import dev.auditflow.server.testing.ServerFixture;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Every route of the served OpenAPI document × every kind of credential: no credentials, a
 * malformed header, an unknown token, an expired one, a revoked one, and a token of each role.
 * Public routes must answer all of them; every other route must answer 401 (with {@code
 * WWW-Authenticate: Bearer}) to the bad ones, 403 to a role without the right, and neither to a
 * role with it — as {@link RoutePolicy} declares. A route of the document missing from the policy
 * fails the test, and so does a token appearing in any log line.
 */
class RouteAccessMatrixTest {
  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass(
      b -> b.auth(new AuthSettings(true, null, null, null, Set.of(), Set.of(), 1_000_000, null)));

  private static final Map<String, String> credentials = new LinkedHashMap<>();
  private static final Map<String, Role> roleOf = new LinkedHashMap<>();

  @BeforeAll
  static void credentials() {
    ApiTokens tokens = fx.server().apiTokens();
    credentials.put("none", null);
    credentials.put("malformed", "Basic dXNlcjpwYXNz");
    credentials.put("unknown", "Bearer af_" + UUID.randomUUID().toString().replace("-", ""));
    credentials.put("expired", "Bearer " + tokens.create("expired", EnumSet.of(Role.ADMIN), Duration.ofSeconds(-1), "test").secret());
    ApiTokens.Issued revoked = tokens.create("revoked", EnumSet.of(Role.ADMIN), null, "test");
    tokens.revoke(revoked.token().id());
    credentials.put("revoked", "Bearer " + revoked.secret());
    for (Role role : Role.values()) {
      String name = role.wireName();
      credentials.put(name, "Bearer " + tokens.create(name, EnumSet.of(role), null, "test").secret());
      roleOf.put(name, role);
    }
  }

  private static JsonNode openApi() throws Exception {
    return new ObjectMapper(new YAMLFactory()).readTree(fx.get("/openapi.yaml").body());
  }

  @Test
  void everyRouteOfTheDocumentHasADeclaredRuleAndNoMore() throws Exception {
    Set<String> documented = new TreeSet<>();
    openApi().path("paths").fields().forEachRemaining(p -> p.getValue().fieldNames()
        .forEachRemaining(m -> documented.add(m.toUpperCase(Locale.ROOT) + " " + p.getKey())));
    assertThat(new TreeSet<>(RoutePolicy.standard().routes().keySet())).isEqualTo(documented);
  }

  /** A problem document — or on OTLP's endpoint a google.rpc.Status, in the request's encoding (JSON here). */
  private static boolean deniedInItsProtocol(String path, ServerFixture.Response r) {
    if (path.equals(OtlpRoutes.LOGS)) {
      return r.contentType().startsWith("application/json") && r.json().has("code") && r.json().has("message");
    }
    return r.contentType().startsWith("application/problem+json");
  }

  @Test
  void everyRouteAnswersEveryCredentialAsDeclared() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    List<String> wrong = new ArrayList<>();
    int checked = 0;
    try {
      JsonNode paths = openApi().path("paths");
      for (var path : iterable(paths.fieldNames())) {
        for (var method : iterable(paths.path(path).fieldNames())) {
          String m = method.toUpperCase(Locale.ROOT);
          RoutePolicy.Access access = RoutePolicy.standard().access(m, path).orElseThrow();
          for (var credential : credentials.entrySet()) {
            ServerFixture.Response r = call(m, path, credential.getValue());
            checked++;
            String expected = expected(access, credential.getKey());
            boolean ok = switch (expected) {
              case "401" -> r.status() == 401 && deniedInItsProtocol(path, r)
                  && String.valueOf(r.header("WWW-Authenticate")).startsWith("Bearer realm=\"auditflow\"");
              case "403" -> r.status() == 403 && deniedInItsProtocol(path, r);
              default -> r.status() != 401 && r.status() != 403 && r.status() != 429 && r.status() < 500;
            };
            if (!ok) {
              wrong.add(m + " " + path + " with " + credential.getKey() + ": expected " + expected + ", got " + r.status()
                  + " " + r.body());
            }
          }
        }
      }
    } finally {
      root.detachAppender(logs);
    }
    assertThat(wrong).isEmpty();
    assertThat(checked).isGreaterThanOrEqualTo(22 * credentials.size());
    List<String> leaked = new ArrayList<>();
    synchronized (logs) {
      for (ILoggingEvent e : logs.list) {
        for (String c : credentials.values()) {
          if (c != null && c.startsWith("Bearer ") && e.getFormattedMessage().contains(c.substring(7))) {
            leaked.add(e.getFormattedMessage());
          }
        }
      }
    }
    assertThat(leaked).as("tokens in log lines").isEmpty();
  }

  /** "401", "403" or "allowed". */
  private static String expected(RoutePolicy.Access access, String credential) {
    if (access.isPublic()) {
      return "allowed";
    }
    Role role = roleOf.get(credential);
    if (role == null) {
      return "401";
    }
    return role.grants(access.role()) ? "allowed" : "403";
  }

  private static ServerFixture.Response call(String method, String template, String authorization) {
    String path = template.replace("{event_id}", UUID.randomUUID().toString())
        .replace("{workflow_id}", UUID.randomUUID().toString()).replace("{token_id}", UUID.randomUUID().toString())
        .replace("{workflow_name}", "matrix").replace("{correlation_id}", "matrix")
        .replace("{policy_id}", UUID.randomUUID().toString()).replace("{level}", "0").replace("{index}", "000")
        .replace("{file}", "console.js").replace("{producer_id}", "matrix@host").replace("{epoch}", UUID.randomUUID().toString())
        .replace("{shard}", "matrix");
    HttpRequest.Builder b = HttpRequest.newBuilder(fx.baseUri().resolve(path));
    if (method.equals("GET") || method.equals("DELETE")) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString("{}"));
    }
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return fx.send(b, null);
  }

  private static <T> List<T> iterable(java.util.Iterator<T> it) {
    List<T> list = new ArrayList<>();
    it.forEachRemaining(list::add);
    return list;
  }
}
