package dev.auditflow.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What every migration test checks of a store an earlier version wrote, once migrated and written
 * to again: its chain still verifies with the new events on it, and the verifiable log grows on
 * from the checkpoint signed before the migration (a consistency proof between the two).
 */
public final class MigratedStore {
  private MigratedStore() {}

  /** The signed tree size of the latest checkpoint, as {@code checkpointBefore} was read before migrating. */
  public static long treeSize(String checkpoint) {
    return Long.parseLong(checkpoint.split("\n")[1]);
  }

  public static void chainVerifiesAndLogGrowsOn(ServerFixture fx, String correlationId, long events,
      String checkpointBefore) {
    JsonNode verified = fx.postJson("/api/v1/audit/verify", "{\"correlation_id\":\"" + correlationId + "\"}").json();
    assertThat(verified.get("verified").asBoolean()).as(verified.toString()).isTrue();
    assertThat(verified.get("events_checked").asLong()).isEqualTo(events);
    LogRounds.integrateAll(fx.server());
    long before = treeSize(checkpointBefore);
    long after = treeSize(fx.get("/api/v1/log/checkpoint").body());
    assertThat(after).isGreaterThan(before);
    var consistency = fx.get("/api/v1/log/proof/consistency?first=" + before + "&second=" + after);
    assertThat(consistency.status()).as("the tree before the migration grows on: " + consistency.body()).isEqualTo(200);
  }
}
