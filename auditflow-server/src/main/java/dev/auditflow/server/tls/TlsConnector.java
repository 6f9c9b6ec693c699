package dev.auditflow.server.tls;

import dev.auditflow.server.runtime.ServerRuntime;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS connector: TLS 1.3 and 1.2 only (Jetty's defaults already exclude weak cipher
 * suites), the certificate and key read from PEM files, and read again — without a restart, for
 * new connections — when either file changes (certificates are rotated by writing the files, as
 * cert-manager does).
 */
public final class TlsConnector implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TlsConnector.class);
  private static final char[] NO_PASSWORD = new char[0];
  /** How often the files are looked at for a renewed certificate. */
  static final Duration CHECK_EVERY = Duration.ofSeconds(10);

  /**
   * Authenticated encryption only: TLS 1.3's suites (all AEAD), and TLS 1.2's with ECDHE key
   * exchange and AES-GCM or ChaCha20-Poly1305. TLS 1.2's CBC suites (e.g. ECDHE-RSA-AES128-SHA256),
   * which the JDK still offers and which Lucky13-style padding oracles have targeted, are not
   * negotiated (Mozilla's "intermediate" profile makes the same cut).
   */
  static final String[] AEAD_SUITES = {"TLS_AES_.*", "TLS_CHACHA20_POLY1305_.*",
      "TLS_ECDHE_(ECDSA|RSA)_WITH_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)"};

  private final TlsFiles files;
  private final SslContextFactory.Server ssl = new SslContextFactory.Server();
  private final ServerRuntime.Loop watcher;
  private List<FileTime> loaded;
  /** When the certificate being served expires, epoch seconds: what an expiry alert watches. */
  private volatile double expiresAt;

  public TlsConnector(TlsFiles files, ServerRuntime runtime, MeterRegistry registry) {
    this.files = files;
    KeyStore store = keyStore(files);
    expiresAt = expiry(store);
    ssl.setKeyStore(store);
    ssl.setKeyStorePassword("");
    ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
    ssl.setIncludeCipherSuites(AEAD_SUITES);
    ssl.setSniRequired(false);
    loaded = modified();
    Gauge.builder("auditflow.tls.certificate.expiry.timestamp", this, connector -> connector.expiresAt)
        .description("When the HTTPS certificate being served expires (its notAfter)")
        .baseUnit("seconds")
        .register(registry);
    watcher = runtime.loop("tls-reload", CHECK_EVERY, () -> {
      reloadIfChanged();
      return CHECK_EVERY;
    });
  }

  /** A connector on {@code host:port} for Javalin's {@code jetty.addConnector}. */
  public ServerConnector connector(Server server, HttpConfiguration http, String host, int port) {
    HttpConfiguration https = new HttpConfiguration(http);
    SecureRequestCustomizer secure = new SecureRequestCustomizer();
    // Clients check the certificate against the name they dialled; the server need not also
    // refuse requests whose Host is an address (127.0.0.1) rather than the certificate's name.
    secure.setSniHostCheck(false);
    https.addCustomizer(secure);
    ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
        new HttpConnectionFactory(https));
    connector.setHost(host);
    connector.setPort(port);
    return connector;
  }

  /** Swaps in the files' certificate if either changed since the last load (the watcher calls it). */
  private void reloadIfChanged() {
    try {
      List<FileTime> now = modified();
      if (now.equals(loaded)) {
        return;
      }
      KeyStore fresh = keyStore(files);
      ssl.reload(factory -> factory.setKeyStore(fresh));
      expiresAt = expiry(fresh);
      loaded = now;
      log.info("tls certificate reloaded cert={} key={}", files.certificateChain(), files.privateKey());
    } catch (Exception e) {
      // Keep serving with the certificate that works; say so until the files are fixed.
      log.warn("tls certificate not reloaded, keeping the current one error=\"{}\"", e.getMessage());
    }
  }

  private List<FileTime> modified() {
    try {
      return List.of(Files.getLastModifiedTime(files.certificateChain()), Files.getLastModifiedTime(files.privateKey()));
    } catch (IOException e) {
      return List.of();
    }
  }

  /** The notAfter of the server's own certificate, the first of the chain. */
  private static double expiry(KeyStore store) {
    try {
      return ((X509Certificate) store.getCertificate("auditflow")).getNotAfter().toInstant().getEpochSecond();
    } catch (KeyStoreException e) {
      throw new IllegalStateException("the key store was just loaded", e);
    }
  }

  static KeyStore keyStore(TlsFiles files) {
    try (InputStream in = Files.newInputStream(files.certificateChain())) {
      List<? extends Certificate> chain =
          List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
      if (chain.isEmpty()) {
        throw new IllegalArgumentException(files.certificateChain() + " holds no certificate");
      }
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("auditflow", privateKey(files.privateKey()), NO_PASSWORD, chain.toArray(Certificate[]::new));
      return store;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot serve TLS with " + files.certificateChain() + " and "
          + files.privateKey() + ": " + e.getMessage(), e);
    }
  }

  private static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
    String pem = Files.readString(file, StandardCharsets.US_ASCII);
    int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = pem.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < begin) {
      throw new InvalidKeySpecException(file + " is not a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----);"
          + " convert one with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem");
    }
    byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (InvalidKeySpecException wrongAlgorithm) {
        // try the next
      }
    }
    throw new InvalidKeySpecException(file + " holds a key that is not RSA, EC or Ed25519");
  }

  @Override
  public void close() {
    watcher.close();
  }
}
