package dev.auditflow.cli.load;

import dev.auditflow.cli.ApiClient;
import java.time.Duration;

/**
 * Before a single event: is the server there, does it take the token, may the token write (and,
 * with {@code --verify}, read)? Without it, a run with a bad token spent two minutes behind a
 * progress bar — the client retries 401s, as tokens may be rotating — and ended "acknowledged 0".
 */
final class Preflight {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private Preflight() {}

  /** @throws dev.auditflow.cli.CliFailure naming what is wrong, in a second or so */
  static void check(ApiClient server, boolean verify) throws InterruptedException {
    // An empty batch is refused after authentication and authorisation, and before anything is
    // stored: its 400 proves that the token is good and may write — and writes nothing.
    ApiClient.expect(server.send("POST", "/api/v1/audit/events/batch", "[]", TIMEOUT), 400,
        "the pre-flight check (may this token write?)");
    if (verify) {
      ApiClient.expect(server.get("/api/v1/audit/events/count?correlation_id=load-preflight", TIMEOUT), 200,
          "the pre-flight check (may this token read, for --verify?)");
    }
  }
}
