package dev.auditflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.server.testing.ServerFixture;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/** {@code auditflow load} against a real server with the seed burst: 50 threads × 10, buffer 100, batch 10. */
class LoadCommandTest {

  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();

  private static JsonNode load(String... extra) throws Exception {
    String[] base = {"load", "--url", fx.baseUri().toString(), "--token", fx.adminToken(), "--threads", "50",
        "--events-per-thread", "10",
        "--buffer-size", "100", "--batch-size", "10", "--flush-interval", "1s", "--verify", "--json"};
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    StringWriter out = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out));
    int exit = cli.execute(args);
    JsonNode json = AuditEventJson.mapper().readTree(out.toString());
    long undelivered = json.get("dropped").asLong() + json.get("failed").asLong() + json.get("unknown").asLong();
    assertThat(exit).as("0: all delivered, 1: losses, each reported, 3: dishonest accounting; " + out)
        .isEqualTo(json.get("lost_unreported").asLong() > 0 ? 3 : undelivered > 0 ? 1 : 0);
    return json;
  }

  @Test
  void blockPolicyStoresAllFiveHundred() throws Exception {
    Path png = Files.createTempFile("latency", ".png");
    JsonNode r = load("--histogram", png.toString());
    assertThat(r.get("attempted").asLong()).isEqualTo(500);
    assertThat(r.get("acknowledged").asLong()).isEqualTo(500);
    assertThat(r.get("stored").asLong()).isEqualTo(500);
    assertThat(r.get("duplicates").asLong()).isZero();
    assertThat(r.get("lost_unreported").asLong()).isZero();
    assertThat(r.get("throughput_per_s").asDouble()).isPositive();
    for (String kind : new String[] {"enqueue_to_ack", "emit_to_queryable"}) {
      JsonNode p = r.get("latency_ms").get(kind);
      assertThat(p.get("count").asLong()).isEqualTo(500);
      assertThat(p.get("p50").asDouble()).isPositive().isLessThanOrEqualTo(p.get("p90").asDouble());
      assertThat(p.get("p99").asDouble()).isLessThanOrEqualTo(p.get("max").asDouble());
    }
    byte[] image = Files.readAllBytes(png);
    assertThat(image).hasSizeGreaterThan(1_000);
    assertThat(new String(image, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
  }

  @Test
  void dropPolicyAccountsForEveryEvent() throws Exception {
    JsonNode r = load("--overflow", "drop");
    assertThat(r.get("stored").asLong() + r.get("dropped").asLong()).isEqualTo(500);
    assertThat(r.get("stored").asLong()).isEqualTo(r.get("acknowledged").asLong());
    assertThat(r.get("lost_unreported").asLong()).isZero();
  }
}
