package dev.auditflow.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditflow.api.Pem;
import dev.auditflow.server.auth.Role;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.testing.TestCertificates;
import dev.auditflow.server.tls.TlsFiles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The console's sign-in over HTTP: a token exchanged for an HttpOnly, SameSite=Strict cookie
 * (Secure under TLS), CSRF required for what changes state, sign-out, and the page's headers.
 */
class ConsoleSessionRoutesTest {
  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest.Builder to(String path) {
    return HttpRequest.newBuilder(fx.baseUri().resolve(path));
  }

  private static String cookie(HttpResponse<String> signedIn) {
    return signedIn.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
  }

  private HttpResponse<String> signIn(String token) throws Exception {
    return send(to("/ui/session").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"token\":\"" + token + "\"}")));
  }

  @Test
  void aTokenBuysAnHttpOnlyStrictCookieAndTheCsrfTokenGuardsWrites() throws Exception {
    HttpResponse<String> signedIn = signIn(fx.token(Role.READER));
    assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(201);
    String setCookie = signedIn.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(setCookie).startsWith("auditflow_session=").contains("HttpOnly").contains("SameSite=Strict")
        .contains("Path=/").doesNotContain("Secure");
    String csrf = com.fasterxml.jackson.databind.json.JsonMapper.builder().build().readTree(signedIn.body())
        .get("csrf_token").asText();
    String cookie = cookie(signedIn);

    HttpResponse<String> who = send(to("/ui/session").header("Cookie", cookie));
    assertThat(who.statusCode()).isEqualTo(200);
    assertThat(who.body()).contains("\"principal\":\"token:test-").contains("\"roles\":[\"reader\"]");
    assertThat(send(to("/api/v1/audit/events").header("Cookie", cookie)).statusCode()).isEqualTo(200);

    String verify = "{\"correlation_id\":\"console-csrf\"}";
    HttpResponse<String> noCsrf = send(to("/api/v1/audit/verify").header("Cookie", cookie)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(verify)));
    assertThat(noCsrf.statusCode()).isEqualTo(403);
    assertThat(noCsrf.body()).contains("X-CSRF-Token");
    HttpResponse<String> wrongCsrf = send(to("/api/v1/audit/verify").header("Cookie", cookie)
        .header("X-CSRF-Token", "guess").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(verify)));
    assertThat(wrongCsrf.statusCode()).isEqualTo(403);
    HttpResponse<String> withCsrf = send(to("/api/v1/audit/verify").header("Cookie", cookie)
        .header("X-CSRF-Token", csrf).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(verify)));
    assertThat(withCsrf.statusCode()).isNotIn(401, 403);

    assertThat(send(to("/ui/session").header("Cookie", cookie).DELETE()).statusCode()).isEqualTo(403);
    HttpResponse<String> out = send(to("/ui/session").header("Cookie", cookie).header("X-CSRF-Token", csrf).DELETE());
    assertThat(out.statusCode()).isEqualTo(204);
    assertThat(out.headers().firstValue("Set-Cookie").orElseThrow()).contains("Max-Age=0");
    HttpResponse<String> ended = send(to("/ui/session").header("Cookie", cookie));
    assertThat(ended.statusCode()).isEqualTo(200);
    assertThat(ended.body()).contains("\"principal\":null");
    assertThat(send(to("/api/v1/audit/events").header("Cookie", cookie)).statusCode()).isEqualTo(401);
  }

  @Test
  void aWrongTokenIsRefusedAndCountedLikeAnyOther() throws Exception {
    HttpResponse<String> refused = signIn("not-a-token");
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.headers().firstValue("Set-Cookie")).isEmpty();
    assertThat(signIn("").statusCode()).isEqualTo(400);
    assertThat(fx.server().registry().get("auditflow.auth.failures").tag("reason", "unknown").counter().count())
        .isGreaterThanOrEqualTo(1);
  }

  @Test
  void thePageAndAssetsCarryAStrictContentSecurityPolicy() throws Exception {
    for (String path : new String[] {"/ui", "/ui/assets/console.js", "/ui/assets/console.css"}) {
      HttpResponse<String> r = send(to(path));
      assertThat(r.statusCode()).as(path).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Security-Policy")).hasValue(ConsoleRoutes.CSP);
      assertThat(r.headers().firstValue("X-Frame-Options")).hasValue("DENY");
    }
    assertThat(send(to("/ui/assets/../openapi.yaml")).statusCode()).isNotEqualTo(200);
    assertThat(send(to("/ui/assets/other.js")).statusCode()).isEqualTo(404);
  }

  @Test
  void underTlsTheCookieIsSecure() throws Exception {
    TestCertificates certificates = TestCertificates.create(Files.createTempDirectory("auditflow-console-tls"));
    try (ServerFixture tls = ServerFixture.start(b -> b.tls(new TlsFiles(certificates.certificate(),
        certificates.privateKey())))) {
      HttpClient https = HttpClient.newBuilder().sslContext(Pem.trusting(certificates.certificate())).build();
      URI uri = URI.create("https://localhost:" + tls.server().port() + "/ui/session");
      HttpResponse<String> signedIn = https.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"token\":\"" + tls.adminToken() + "\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(201);
      assertThat(signedIn.headers().firstValue("Set-Cookie").orElseThrow()).contains("; Secure");
    }
  }
}
