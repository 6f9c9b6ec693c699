package dev.auditflow.server.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditflow.api.Pem;
import dev.auditflow.server.testing.FakeServerRuntime;
import dev.auditflow.server.testing.TestCertificates;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.SSLParameters;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificate rotation without a restart: new connections get the certificate written to the
 * files; a broken write keeps the working one. Real TLS handshakes against a Jetty server, with
 * certificates made in the test.
 */
class TlsConnectorTest {
  @TempDir
  Path dir;

  private Server server;
  private TlsConnector tls;
  private final FakeServerRuntime runtime = new FakeServerRuntime(Instant.parse("2026-01-31T12:00:00Z"));
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @AfterEach
  void stop() throws Exception {
    server.stop();
    tls.close();
  }

  private URI start(TlsFiles files) throws Exception {
    tls = new TlsConnector(files, runtime, registry);
    server = new Server();
    ServerConnector connector = tls.connector(server, new HttpConfiguration(), "127.0.0.1", 0);
    server.addConnector(connector);
    server.start();
    return URI.create("https://localhost:" + connector.getLocalPort() + "/");
  }

  /** The certificate a fresh connection is shown (a new client: no session is resumed). */
  private static X509Certificate served(URI uri, Path trusted) throws Exception {
    SSLParameters tls12and13 = new SSLParameters();
    tls12and13.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
    HttpClient client = HttpClient.newBuilder().sslContext(Pem.trusting(trusted)).sslParameters(tls12and13).build();
    HttpResponse<Void> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.discarding());
    Certificate[] chain = r.sslSession().orElseThrow().getPeerCertificates();
    return (X509Certificate) chain[0];
  }

  private static X509Certificate read(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  /** Writes {@code from}'s files over {@code to}'s, stamped a minute later so the change is seen. */
  private static void replace(TestCertificates from, TestCertificates to) throws Exception {
    for (Path[] pair : new Path[][] {{from.certificate(), to.certificate()}, {from.privateKey(), to.privateKey()}}) {
      FileTime later = FileTime.fromMillis(Files.getLastModifiedTime(pair[1]).toMillis() + 60_000);
      Files.copy(pair[0], pair[1], StandardCopyOption.REPLACE_EXISTING);
      Files.setLastModifiedTime(pair[1], later);
    }
  }

  @Test
  void aRotatedCertificateIsServedToNewConnections() throws Exception {
    TestCertificates live = TestCertificates.create(dir.resolve("live"));
    TestCertificates next = TestCertificates.create(dir.resolve("next"));
    Path both = dir.resolve("trusted.pem");
    Files.writeString(both, Files.readString(live.certificate()) + Files.readString(next.certificate()));
    X509Certificate first = read(live.certificate());
    X509Certificate second = read(next.certificate());
    URI uri = start(new TlsFiles(live.certificate(), live.privateKey()));
    assertThat(served(uri, both)).isEqualTo(first);
    assertThat(expiry()).as("the expiry an alert watches").isEqualTo(first.getNotAfter().toInstant().getEpochSecond());

    runtime.advance(TlsConnector.CHECK_EVERY);
    assertThat(served(uri, both)).as("unchanged files: same certificate").isEqualTo(first);

    replace(next, live);
    runtime.advance(TlsConnector.CHECK_EVERY.minusSeconds(1));
    assertThat(served(uri, both)).as("not looked at again yet").isEqualTo(first);
    runtime.advance(Duration.ofSeconds(1));
    assertThat(served(uri, both)).as("looked at every " + TlsConnector.CHECK_EVERY).isEqualTo(second);
    assertThat(expiry()).as("the renewed certificate's").isEqualTo(second.getNotAfter().toInstant().getEpochSecond());
  }

  private double expiry() {
    return registry.get("auditflow.tls.certificate.expiry.timestamp").gauge().value();
  }

  @Test
  void aBrokenKeyFileKeepsTheWorkingCertificate() throws Exception {
    TestCertificates live = TestCertificates.create(dir.resolve("live"));
    X509Certificate first = read(live.certificate());
    URI uri = start(new TlsFiles(live.certificate(), live.privateKey()));

    Files.writeString(live.privateKey(), "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
    Files.setLastModifiedTime(live.privateKey(), FileTime.fromMillis(System.currentTimeMillis() + 60_000));
    runtime.advance(TlsConnector.CHECK_EVERY);
    assertThat(served(uri, live.certificate())).isEqualTo(first);
  }

  /** Hardening finding 12: TLS 1.2's CBC suites were negotiated; only AEAD suites are now. */
  @Test
  void onlyAuthenticatedEncryptionIsNegotiated() throws Exception {
    TestCertificates live = TestCertificates.create(dir.resolve("live"));
    URI uri = start(new TlsFiles(live.certificate(), live.privateKey()));
    javax.net.ssl.SSLContext context = Pem.trusting(live.certificate());
    for (String suite : new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"}) {
      assertThat(handshake(context, uri, "TLSv1.2", suite)).as(suite).isNull();
    }
    assertThat(handshake(context, uri, "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"))
        .isEqualTo("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    assertThat(handshake(context, uri, "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"))
        .isEqualTo("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
    assertThat(handshake(context, uri, "TLSv1.3", "TLS_AES_256_GCM_SHA384")).isEqualTo("TLS_AES_256_GCM_SHA384");
  }

  /** The suite a client offering only {@code suite} gets, or null when the handshake fails. */
  private static String handshake(javax.net.ssl.SSLContext context, URI uri, String protocol, String suite) throws Exception {
    try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) context.getSocketFactory()
        .createSocket(uri.getHost(), uri.getPort())) {
      socket.setEnabledProtocols(new String[] {protocol});
      socket.setEnabledCipherSuites(new String[] {suite});
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      return socket.getSession().getCipherSuite();
    } catch (javax.net.ssl.SSLHandshakeException e) {
      return null;
    }
  }
}
