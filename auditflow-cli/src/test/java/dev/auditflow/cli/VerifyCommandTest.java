package dev.auditflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditflow.server.auth.Role;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.ServerFixture;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code auditflow verify} against a real server: 0 for an intact chain, 1 naming the break. */
class VerifyCommandTest {

  private static int run(StringWriter out, String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(out));
    return cli.execute(args);
  }

  @Test
  void exitCodeSaysWhetherTheChainHolds() throws Exception {
    try (ServerFixture fx = ServerFixture.start()) {
      var first = EventJson.valid("cli-verify");
      fx.postJson("/api/v1/audit/events/batch", EventJson.array(first, EventJson.valid("cli-verify")).toString());
      StringWriter ok = new StringWriter();
      String reader = fx.token(Role.READER);
      assertThat(run(ok, "verify", "--url", fx.baseUri().toString(), "--token", reader, "--correlation-id", "cli-verify"))
          .isZero();
      assertThat(ok.toString()).contains("\"verified\" : true").contains("verified: 2 events");

      try (Connection c = DriverManager.getConnection(fx.jdbcUrl()); Statement s = c.createStatement()) {
        s.execute("SET session_replication_role = replica");
        s.execute("UPDATE audit_events SET event_type = 'rewritten' WHERE event_id = '" + first.get("event_id").asText() + "'");
      }
      StringWriter broken = new StringWriter();
      assertThat(run(broken, "verify", "--url", fx.baseUri().toString(), "--token", reader, "--correlation-id",
          "cli-verify")).isEqualTo(1);
      assertThat(broken.toString()).contains("NOT VERIFIED: modified_content in chain cli-verify at position 1");
    }
  }
}
