package dev.auditflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.client.log.LogWitness;
import dev.auditflow.server.LifecycleSettings;
import dev.auditflow.server.testing.Attacker;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.LogRounds;
import dev.auditflow.server.testing.ServerFixture;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The Java client as a witness of a real server's log: it keeps its checkpoint across checks,
 * follows the log as it grows, and refuses a rewritten log loudly — ERROR line, metric, evidence
 * file — keeping the checkpoint it trusted.
 */
class LogWitnessTest {
  @Test
  void followsAGrowingLogAndRefusesARewrittenOneLoudly() throws Exception {
    Path dir = Files.createTempDirectory("auditflow-witness");
    Path key = dir.resolve("signing.pem");
    Path state = dir.resolve("checkpoint");
    LifecycleSettings lifecycle = new LifecycleSettings(key, List.of(), Duration.ZERO, 100_000);
    try (ServerFixture fx = ServerFixture.start(b -> b.lifecycle(lifecycle))) {
      String verifierKey = fx.get("/api/v1/log/key").json().get("verifier_key").asText();
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      store(fx, "witness-a", 10);
      try (LogWitness witness = witness(fx, verifierKey, state, meters)) {
        assertThat(witness.check().outcome()).isEqualTo(LogWitness.Outcome.FIRST_TRUSTED);
        long first = witness.trustedSize();
        store(fx, "witness-b", 10);
        assertThat(witness.check().outcome()).isEqualTo(LogWitness.Outcome.CONSISTENT);
        assertThat(witness.trustedSize()).isGreaterThanOrEqualTo(first + 10);
        assertThat(witness.check().outcome()).isEqualTo(LogWitness.Outcome.CONSISTENT);
      }
      String trusted = Files.readString(state);

      // A superuser rewrites a leaf and a restarted server (same key) signs the forged tree.
      fx.server().close();
      Attacker.rewriteTree(fx.jdbcUrl(), leaves -> {
        List<Attacker.Leaf> copy = new ArrayList<>(leaves);
        Attacker.Leaf old = copy.get(2);
        copy.set(2, new Attacker.Leaf(old.eventId(), old.eventDate(), old.queuedAt(), new byte[32]));
        return copy;
      });
      SimpleMeterRegistry restartedMeters = new SimpleMeterRegistry();
      try (ServerFixture forged = ServerFixture.onDatabase(fx.jdbcUrl(), b -> b.lifecycle(lifecycle));
          LogWitness witness = witness(forged, verifierKey, state, restartedMeters);
          Captured errors = new Captured()) {
        store(forged, "witness-c", 3);
        assertThat(witness.check().outcome()).isEqualTo(LogWitness.Outcome.INCONSISTENT);
        assertThat(witness.inconsistencies()).isEqualTo(1);
        assertThat(restartedMeters.get("auditflow.client.log.inconsistencies").functionCounter().count()).isEqualTo(1.0);
        assertThat(errors.messages()).anySatisfy(m -> assertThat(m).contains("not consistent").contains("rewritten"));
        assertThat(Files.readString(state)).as("the trusted checkpoint stays").isEqualTo(trusted);
        assertThat(dir.resolve("checkpoint.rejected")).exists();
        assertThat(witness.check().outcome()).as("and stays refused").isEqualTo(LogWitness.Outcome.INCONSISTENT);
      }
    }
  }

  private static LogWitness witness(ServerFixture fx, String verifierKey, Path state, SimpleMeterRegistry meters) {
    return LogWitness.builder().endpoint(fx.baseUri()).bearerToken(fx.adminToken()).verifierKey(verifierKey)
        .stateFile(state).meterRegistry(meters).build();
  }

  /** Stores events and waits for their checkpoint, as a witness would find it a moment later. */
  private static void store(ServerFixture fx, String correlationId, int n) {
    ArrayNode batch = AuditEventJson.mapper().createArrayNode();
    for (int i = 0; i < n; i++) {
      batch.add(EventJson.valid(correlationId));
    }
    assertThat(fx.postJson("/api/v1/audit/events/batch", batch.toString()).status()).isEqualTo(201);
    LogRounds.integrateAll(fx.server());
  }

  /** ERROR lines of the witness's logger. */
  private static final class Captured implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger(LogWitness.class);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    Captured() {
      appender.start();
      logger.addAppender(appender);
    }

    List<String> messages() {
      synchronized (appender) {
        return appender.list.stream().filter(e -> e.getLevel() == Level.ERROR).map(ILoggingEvent::getFormattedMessage)
            .toList();
      }
    }

    @Override
    public void close() {
      logger.detachAppender(appender);
    }
  }
}
