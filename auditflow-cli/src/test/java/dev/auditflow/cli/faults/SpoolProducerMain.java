package dev.auditflow.cli.faults;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.client.AuditStore;
import dev.auditflow.client.AuditStoreBuilder;
import dev.auditflow.client.FsyncPolicy;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A producer process for the spool's kill test: stores {@code count} events through the real
 * client on a spool, printing each event's id once {@code store()} has returned (so the test knows
 * what was accepted), then closes. With count 0 it only resumes what a killed run left, and closes.
 *
 * <p>Arguments: server URL, token, spool directory ({@code -} for none: events wait in memory
 * only), count, fsync ({@code always} or {@code interval:<ms>}), producer id.
 */
public final class SpoolProducerMain {
  private SpoolProducerMain() {}

  public static void main(String[] args) throws Exception {
    FsyncPolicy fsync = args[4].equals("always") ? FsyncPolicy.always()
        : FsyncPolicy.interval(Duration.ofMillis(Long.parseLong(args[4].substring("interval:".length()))));
    BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
    AuditStoreBuilder builder = AuditStore.builder().endpoint(URI.create(args[0])).bearerToken(args[1])
        .producerId(args[5]).batchSize(200).flushInterval(Duration.ofMillis(100));
    if (!args[2].equals("-")) {
      builder.spoolDirectory(Path.of(args[2])).spoolFsync(fsync);
    }
    try (AuditStore store = builder.build()) {
      int count = Integer.parseInt(args[3]);
      for (int i = 0; i < count; i++) {
        AuditEvent event = AuditEvent.builder().eventType("spool.kill.emitted").eventTimestamp(Instant.now())
            .eventCategory("spool").eventAction("emit").eventOutcome(EventOutcome.SUCCESS)
            .correlationId("spool-kill-" + args[5]).eventData(Map.of("i", i)).build();
        store.store(event);
        // Printed only after store() returned: this event was accepted.
        out.write("accepted " + event.eventId() + "\n");
        out.flush();
      }
      store.flush(Duration.ofMinutes(1));
    }
    out.write("closed\n");
    out.flush();
  }
}
