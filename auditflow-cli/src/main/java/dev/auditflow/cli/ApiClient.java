package dev.auditflow.cli;

import dev.auditflow.api.Pem;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The CLI's HTTP calls to a server: its base URL, the bearer token (if any) on every request,
 * and the certificates to trust for {@code https} (if not the JVM's). The token is never printed.
 */
public final class ApiClient {
  private final URI base;
  private final String token;
  private final Path trustedCertificates;
  private final HttpClient http;

  /**
   * @param token the bearer token, or null
   * @param trustedCertificates a PEM file of certificates to trust, or null for the JVM's trust store
   */
  public ApiClient(URI base, String token, Path trustedCertificates) {
    this.base = URI.create(base.toString().replaceAll("/+$", ""));
    this.token = token == null || token.isBlank() ? null : token.trim();
    this.trustedCertificates = trustedCertificates;
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
    if (trustedCertificates != null) {
      builder.sslContext(Pem.trusting(trustedCertificates));
    }
    this.http = builder.build();
  }

  public URI base() {
    return base;
  }

  /** The token, for handing on to the audit client (never for printing). */
  public String token() {
    return token;
  }

  /** The PEM certificates trusted instead of the JVM's, or null for the JVM's trust store. */
  public Path trustedCertificates() {
    return trustedCertificates;
  }

  /**
   * @throws CliFailure when the server cannot be reached, naming it and what happened
   */
  public HttpResponse<String> get(String pathAndQuery, Duration timeout) throws InterruptedException {
    return call(request(pathAndQuery, timeout).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** As {@link #get}, with any method and an optional JSON body. */
  public HttpResponse<String> send(String method, String path, String json, Duration timeout)
      throws InterruptedException {
    HttpRequest.Builder request = request(path, timeout);
    if (json == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
    }
    return call(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** GETs into {@code file} as the bytes arrive, whatever their size; the body is the file's whatever the status. */
  public HttpResponse<Path> download(String pathAndQuery, Path file, Duration timeout) throws InterruptedException {
    return call(request(pathAndQuery, timeout).GET().build(), HttpResponse.BodyHandlers.ofFile(file));
  }

  /**
   * The answer when it has {@code status}; otherwise the server's refusal as one line and a hint.
   *
   * @param what what was asked, for the message ("verification", "purge")
   */
  public static HttpResponse<String> expect(HttpResponse<String> r, int status, String what) {
    if (r.statusCode() != status) {
      throw Failures.refused(what, r);
    }
    return r;
  }

  private <T> HttpResponse<T> call(HttpRequest request, HttpResponse.BodyHandler<T> body) throws InterruptedException {
    try {
      return http.send(request, body);
    } catch (IOException e) {
      throw Failures.unreachable(base, e);
    }
  }

  private HttpRequest.Builder request(String path, Duration timeout) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout);
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }
}
