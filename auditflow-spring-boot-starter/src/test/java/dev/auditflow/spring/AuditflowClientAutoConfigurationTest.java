package dev.auditflow.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.client.AuditStore;
import dev.auditflow.server.auth.Role;
import dev.auditflow.server.testing.ServerFixture;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The starter in real Spring application contexts against a running auditflow server (real
 * PostgreSQL): properties bind, events flow, the context's shutdown drains the buffer, meters reach
 * the application's registry, health goes DOWN with the reason when delivery stalls, and bad
 * settings stop the context with the setting named.
 */
class AuditflowClientAutoConfigurationTest {
  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();

  private final ApplicationContextRunner contexts = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(AuditflowClientAutoConfiguration.class));

  private ApplicationContextRunner againstTheServer() {
    return contexts.withPropertyValues("auditflow.client.endpoint=" + fx.baseUri(),
        "auditflow.client.token=" + fx.token(Role.WRITER));
  }

  private static AuditEvent event(String correlation, int i) {
    return AuditEvent.builder().eventType("order.refund.issued").eventTimestamp(Instant.now()).eventCategory("order")
        .eventAction("refund").eventOutcome(EventOutcome.SUCCESS).correlationId(correlation)
        .eventData(Map.of("i", i)).build();
  }

  private static long stored(String correlation) {
    return fx.get("/api/v1/audit/events/count?correlation_id=" + correlation).json().get("count").asLong();
  }

  @Test
  void closingTheContextDrainsEveryEventToTheServer() {
    // A 30 s flush interval: only the shutdown can have sent them by the time close returns.
    againstTheServer().withPropertyValues("auditflow.client.flush-interval=30s", "auditflow.client.batch-size=500")
        .run(context -> {
          AuditStore store = context.getBean(AuditStore.class);
          for (int i = 0; i < 120; i++) {
            store.store(event("spring-drain", i));
          }
          assertThat(stored("spring-drain")).isZero();
          context.close();
          assertThat(stored("spring-drain")).isEqualTo(120);
          assertThat(store.stats().acknowledged()).isEqualTo(120);
        });
  }

  @Test
  void theTokenFileAndBufferSettingsBindAndTheMetersReachTheApplicationsRegistry() throws IOException {
    Path tokenFile = Files.createTempFile("auditflow-token", ".txt");
    Files.writeString(tokenFile, fx.token(Role.WRITER));
    contexts.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues("auditflow.client.endpoint=" + fx.baseUri(), "auditflow.client.token-file=" + tokenFile,
            "auditflow.client.buffer-size=64", "auditflow.client.batch-size=8", "auditflow.client.flush-interval=100ms")
        .run(context -> {
          AuditStore store = context.getBean(AuditStore.class);
          for (int i = 0; i < 20; i++) {
            store.store(event("spring-token-file", i));
          }
          store.flush(Duration.ofSeconds(30));
          assertThat(stored("spring-token-file")).isEqualTo(20);
          MeterRegistry registry = context.getBean(MeterRegistry.class);
          assertThat(registry.get("auditflow.client.events").tag("outcome", "acknowledged").functionCounter().count())
              .isEqualTo(20.0);
          // buffer-size bound: the capacity gauge reads it back.
          assertThat(registry.get("auditflow.client.queue.capacity").gauge().value()).isEqualTo(64.0);
        });
  }

  @Test
  void healthIsUpWhileEventsAreDeliveredAndDownWithTheReasonOnceTheServerIsStopped() throws Exception {
    ServerFixture doomed = ServerFixture.start();
    boolean[] stopped = {false};
    try {
      contexts.withPropertyValues("auditflow.client.endpoint=" + doomed.baseUri(),
          "auditflow.client.token=" + doomed.adminToken(), "auditflow.client.flush-interval=100ms",
          "auditflow.client.health.max-delivery-lag=1s", "auditflow.client.shutdown-timeout=1s").run(context -> {
            HealthIndicator health = context.getBean("auditflowHealthIndicator", HealthIndicator.class);
            AuditStore store = context.getBean(AuditStore.class);
            store.store(event("spring-health", 0));
            store.flush(Duration.ofSeconds(30));
            assertThat(health.health().getStatus()).isEqualTo(Status.UP);

            doomed.close();
            stopped[0] = true;
            store.store(event("spring-health", 1));
            await().atMost(Duration.ofSeconds(20)).until(() -> health.health().getStatus().equals(Status.DOWN));
            Health down = health.health();
            assertThat(down.getDetails().get("reason").toString())
                .contains("the auditflow server is unreachable or too slow");
            assertThat(down.getDetails()).containsEntry("acknowledged", 1L).containsEntry("enqueued", 2L);
          });
    } finally {
      if (!stopped[0]) {
        doomed.close();
      }
    }
  }

  @Test
  void withoutAnEndpointTheContextFailsNamingTheSettingAndDisabledThereIsNoStore() {
    contexts.run(context -> assertThat(context).hasFailed().getFailure().rootCause()
        .hasMessageContaining("auditflow.client.endpoint is not set"));
    againstTheServer().withPropertyValues("auditflow.client.batch-size=0").run(context ->
        assertThat(context).hasFailed().getFailure().rootCause().hasMessageContaining("batchSize"));
    contexts.withPropertyValues("auditflow.client.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(AuditStore.class));
  }

  @Test
  void theConfigurationMetadataDescribesEveryPropertyForIdeCompletion() throws IOException {
    var metadata = getClass().getClassLoader().getResourceAsStream("META-INF/spring-configuration-metadata.json");
    assertThat(metadata).as("generated by spring-boot-configuration-processor").isNotNull();
    String json = new String(metadata.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(json).contains("\"auditflow.client.endpoint\"").contains("\"auditflow.client.token-file\"")
        .contains("\"auditflow.client.spool.fsync\"").contains("\"auditflow.client.health.max-delivery-lag\"")
        .contains("The auditflow server's base URL");
  }
}
