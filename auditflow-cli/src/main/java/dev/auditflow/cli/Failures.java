package dev.auditflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEventJson;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import javax.net.ssl.SSLException;

/**
 * Turns what went wrong talking to a server into the one line (and hint) a user can act on: an
 * RFC 7807 answer by its status and detail, not its raw JSON; a failed connection by the URL and
 * what happened, not {@code ConnectException: null}.
 */
final class Failures {
  private Failures() {}

  /** The server could not be reached (or stopped answering) at {@code base}. */
  static CliFailure unreachable(URI base, IOException e) {
    String what;
    String hint = "is `auditflow serve` running there? (--url; default http://localhost:8080)";
    if (e instanceof HttpConnectTimeoutException) {
      what = "no connection within 10 s";
    } else if (e instanceof HttpTimeoutException) {
      what = "no answer in time";
      hint = "the server is slow or stuck; its log says which";
    } else if (e instanceof ConnectException || hasCause(e, ConnectException.class)) {
      what = "connection refused";
    } else if (e instanceof UnknownHostException || hasCause(e, UnresolvedAddressException.class)) {
      what = "unknown host";
      hint = "check --url";
    } else if (e instanceof SSLException || hasCause(e, SSLException.class)) {
      what = "TLS failed (" + e.getMessage() + ")";
      hint = "for a server with a private or self-signed certificate, pass --cacert with its CA's PEM";
    } else {
      what = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
    return new CliFailure("cannot reach " + base + ": " + what, hint, e);
  }

  private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The server refused: "{@code <what> failed: 401 no or unknown token}" and what to do, from the
   * answer's problem detail.
   */
  static CliFailure refused(String what, HttpResponse<String> r) {
    return refused(what, r, r.body());
  }

  /** As {@link #refused(String, HttpResponse)}, for an answer whose body was kept elsewhere (a download). */
  static CliFailure refused(String what, HttpResponse<?> r, String body) {
    String detail = detail(body);
    String hint = switch (r.statusCode()) {
      case 401 -> "set AUDITFLOW_TOKEN or pass --token (serve wrote the first admin token to <data-dir>/admin.token)";
      case 403 -> "use a token whose role allows this (`auditflow token create --role …` as admin)";
      case 429, 503 -> r.headers().firstValue("Retry-After").map(s -> "retry after " + s + " s").orElse("retry later");
      default -> null;
    };
    String summary = switch (r.statusCode()) {
      case 401 -> "401: no or unknown token";
      case 403 -> "403: not allowed";
      default -> String.valueOf(r.statusCode());
    };
    return new CliFailure(what + " failed: " + summary + (detail == null ? "" : " — " + detail), hint);
  }

  /** The problem's detail, or the body's first line when it is no problem. */
  private static String detail(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      JsonNode problem = AuditEventJson.mapper().readTree(body);
      if (problem.hasNonNull("detail")) {
        JsonNode errors = problem.path("errors");
        String first = errors.isArray() && !errors.isEmpty()
            ? " (" + errors.get(0).path("field").asText() + ": " + errors.get(0).path("message").asText() + ")" : "";
        return problem.get("detail").asText() + first;
      }
    } catch (IOException notJson) {
      // fall through to the text
    }
    String line = body.strip().lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) + "…" : line;
  }
}
