package dev.auditflow.server.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditflow.verify.ExportVerifier;
import dev.auditflow.verify.PublicKeys;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Exports made by an earlier version still verify. {@code export-0.1.ndjson} was written by
 * {@code auditflow export} of commit 6b04ef5 (three events of one chain, a log checkpoint), whose
 * answers showed the first event's {@code previous_event_hash} as 64 zeros where this version
 * shows "".
 */
class EarlierExportTest {
  private static byte[] resource(String name) throws IOException {
    try (InputStream in = EarlierExportTest.class.getResourceAsStream("/exports/" + name)) {
      return in.readAllBytes();
    }
  }

  @Test
  void anExportWithTheZeroHashSpelledOutVerifies() throws IOException {
    byte[] export = resource("export-0.1.ndjson");
    assertThat(new String(export, StandardCharsets.UTF_8)).contains("\"previous_event_hash\":\"" + "0".repeat(64) + "\"");
    var key = PublicKeys.fromPem(new String(resource("export-0.1.pub.pem"), StandardCharsets.US_ASCII));
    ExportVerifier.Result result = new ExportVerifier(key, null).verify(new ByteArrayInputStream(export));
    assertThat(result.findings()).isEmpty();
    assertThat(result.valid()).isTrue();
    assertThat(result.eventsVerified()).isEqualTo(3);
    assertThat(result.eventsInLog()).isEqualTo(3);
  }
}
