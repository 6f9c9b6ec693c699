package dev.auditflow.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.ServerFixture;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * JWTs signed with keys generated here, published as a JWK Set by a local HTTP server the way an
 * identity provider publishes them; the server verifies with Nimbus JOSE+JWT. Covers signature,
 * issuer, audience, expiry, the roles claim, and key rotation.
 */
class JwtAuthenticationTest {
  private static final String ISSUER = "https://idp.example.test";
  private static final String AUDIENCE = "auditflow";
  private static HttpServer jwks;
  private static final AtomicReference<JWKSet> published = new AtomicReference<>();
  private static RSAKey first;
  private static ServerFixture fx;

  @BeforeAll
  static void start() throws Exception {
    first = new RSAKeyGenerator(2048).keyID("key-1").generate();
    published.set(new JWKSet(first.toPublicJWK()));
    jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    jwks.createContext("/jwks.json", exchange -> {
      byte[] body = published.get().toString().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    jwks.start();
    JwtSettings jwt = new JwtSettings(URI.create("http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks.json"),
        null, ISSUER, AUDIENCE, null, "groups", Map.of("audit-writers", Role.WRITER, "audit-readers", Role.READER),
        Duration.ofSeconds(30), Duration.ofMillis(1));
    fx = ServerFixture.start(b -> b.auth(new AuthSettings(true, null, jwt, null, Set.of(), Set.of(), 1_000_000, null)));
  }

  @AfterAll
  static void stop() {
    fx.close();
    jwks.stop(0);
  }

  private static String token(RSAKey key, String subject, List<String> groups, String issuer, String audience,
      Instant expires) throws Exception {
    JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(issuer).audience(audience).subject(subject)
        .claim("groups", groups).issueTime(new Date()).expirationTime(Date.from(expires)).build();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
        .type(JOSEObjectType.JWT).build(), claims);
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  private static String valid(RSAKey key, List<String> groups) throws Exception {
    return token(key, "alice", groups, ISSUER, AUDIENCE, Instant.now().plusSeconds(300));
  }

  private static ServerFixture.Response post(String token) {
    return fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/audit/events"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(EventJson.valid("jwt").toString())), token);
  }

  private static ServerFixture.Response query(String token) {
    return fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/audit/events?correlation_id=jwt")), token);
  }

  @Test
  void theRolesClaimGrantsRoles() throws Exception {
    String writer = valid(first, List.of("audit-writers"));
    assertThat(post(writer).status()).isEqualTo(201);
    assertThat(query(writer).status()).isEqualTo(403);
    String reader = valid(first, List.of("audit-readers", "unrelated"));
    var page = query(reader);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.json().get("data").get(0).get("ingested_by").asText()).isEqualTo("jwt:alice");
    // Hardening finding 9: a group merely named like a role grants nothing without a mapping.
    assertThat(query(valid(first, List.of("reader"))).status()).isEqualTo(403);
    assertThat(post(valid(first, List.of("admin", "writer"))).status()).isEqualTo(403);
    assertThat(query(valid(first, List.of())).status()).as("no role at all").isEqualTo(403);
  }

  @Test
  void badTokensAreRefusedWithTheReason() throws Exception {
    var expired = query(token(first, "alice", List.of("audit-readers"), ISSUER, AUDIENCE,
        Instant.now().minusSeconds(600)));
    assertThat(expired.status()).isEqualTo(401);
    assertThat(expired.json().get("detail").asText()).contains("expired");
    assertThat(query(token(first, "alice", List.of("audit-readers"), ISSUER, "someone-else",
        Instant.now().plusSeconds(300))).status()).as("wrong audience").isEqualTo(401);
    assertThat(query(token(first, "alice", List.of("audit-readers"), "https://other.test", AUDIENCE,
        Instant.now().plusSeconds(300))).status()).as("another issuer").isEqualTo(401);
    RSAKey stranger = new RSAKeyGenerator(2048).keyID("key-1").generate();
    assertThat(query(valid(stranger, List.of("audit-readers"))).status()).as("signed by another key").isEqualTo(401);
    String good = valid(first, List.of("audit-readers"));
    String tampered = good.substring(0, good.lastIndexOf('.') - 4) + "AAAA" + good.substring(good.lastIndexOf('.'));
    assertThat(query(tampered).status()).as("payload changed after signing").isEqualTo(401);

    JWTClaimsSet claims = SignedJWT.parse(good).getJWTClaimsSet();
    assertThat(query(new PlainJWT(claims).serialize()).status()).as("alg none").isEqualTo(401);
    SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("key-1").build(), claims);
    hmac.sign(new MACSigner(first.toPublicJWK().toRSAPublicKey().getEncoded()));
    assertThat(query(hmac.serialize()).status()).as("HS256 keyed with the public key").isEqualTo(401);

    // Hardening finding 9: an empty sub named "jwt:", and a newline in it reached log lines.
    var empty = query(token(first, "", List.of("audit-readers"), ISSUER, AUDIENCE, Instant.now().plusSeconds(300)));
    assertThat(empty.status()).isEqualTo(401);
    assertThat(empty.json().get("detail").asText()).contains("sub claim");
    assertThat(query(token(first, "alice\nforged=1", List.of("audit-readers"), ISSUER, AUDIENCE,
        Instant.now().plusSeconds(300))).status()).isEqualTo(401);
  }

  @Test
  void rotatedKeysArePickedUpFromTheKeySet() throws Exception {
    RSAKey second = new RSAKeyGenerator(2048).keyID("key-2").generate();
    String before = valid(first, List.of("audit-readers"));
    assertThat(query(before).status()).isEqualTo(200);
    // The identity provider rotates: key-2 is published, key-1 withdrawn.
    published.set(new JWKSet(second.toPublicJWK()));
    // A token naming a key the cache does not know makes the server fetch the set again.
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> query(valid(second, List.of("audit-readers"))).status() == 200);
    published.set(new JWKSet(List.of(first.toPublicJWK(), second.toPublicJWK())));
  }
}
