package dev.auditflow.server.tls;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The files HTTPS is served with: a PEM certificate chain (the server's certificate first) and
 * its PEM private key in PKCS#8 form ({@code -----BEGIN PRIVATE KEY-----}, as {@code openssl
 * genpkey} writes it; RSA or EC). Both are read again when either file changes.
 */
public record TlsFiles(Path certificateChain, Path privateKey) {
  public TlsFiles {
    Objects.requireNonNull(certificateChain, "the TLS certificate file (--tls-cert)");
    Objects.requireNonNull(privateKey, "the TLS key file (--tls-key)");
  }
}
