package dev.auditflow.server.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.log.Checkpoint;
import dev.auditflow.api.log.LogProofException;
import dev.auditflow.api.log.LogProofs;
import dev.auditflow.server.LifecycleSettings;
import dev.auditflow.server.testing.Attacker;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.trail.LogTamperedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the chain cannot catch and the log does: a database superuser who rewrites an event and
 * recomputes its chain passes chain verification, but not a holder of an earlier checkpoint —
 * whether the log's tables are left alone or rewritten too (changed, deleted, reordered leaves),
 * and whatever the server signs afterwards.
 */
class LogTamperTest {
  private final Path keyFile = tempKeyFile();
  private final ServerFixture fx = ServerFixture.start(b -> b.lifecycle(withKey(keyFile)));
  private final LogFixture log = new LogFixture(fx);

  @AfterEach
  void stop() {
    fx.close();
  }

  private static Path tempKeyFile() {
    try {
      return Files.createTempDirectory("auditflow-log-key").resolve("signing.pem");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static LifecycleSettings withKey(Path keyFile) {
    return new LifecycleSettings(keyFile, List.of(), Duration.ZERO, 100_000);
  }

  @Test
  void aRewrittenEventWithARecomputedChainPassesTheChainButNotTheLog() throws LogProofException {
    List<String> ids = log.store("tamper-a", 5);
    log.integrate();
    Checkpoint held = log.checkpoint();
    String victim = ids.get(2);
    long index = log.inclusion(victim, held.size()).get("leaf_index").asLong();

    Attacker.rewriteEventAndChain(fx.jdbcUrl(), UUID.fromString(victim), "{\"n\":2,\"text\":\"nothing happened\"}");
    assertThat(fx.postJson("/api/v1/audit/verify", "{\"correlation_id\":\"tamper-a\"}").json().get("verified").asBoolean())
        .as("the chain alone is fooled").isTrue();

    // The event as served no longer hashes to its leaf: inclusion against the held checkpoint fails.
    JsonNode proof = log.inclusion(victim, held.size());
    byte[] served = LogFixture.leafOf(proof.get("event"));
    assertThatThrownBy(() -> LogProofs.verifyInclusion(served, index, held.size(),
        LogFixture.hashes(proof.get("inclusion_path")), held.rootHash())).isInstanceOf(LogProofException.class);
    // and walking the entries names it as the first leaf whose event does not match.
    assertThat(firstMismatch(held.size())).isEqualTo(index);
  }

  @Test
  void aRewrittenTreeSignedByTheServerIsInconsistentWithTheHeldCheckpoint() throws LogProofException {
    List<String> ids = log.store("tamper-b", 6);
    log.integrate();
    Checkpoint held = log.checkpoint();
    String victim = ids.get(1);
    long index = log.inclusion(victim, held.size()).get("leaf_index").asLong();
    Attacker.rewriteEventAndChain(fx.jdbcUrl(), UUID.fromString(victim), "{\"n\":3}");
    byte[] forgedLeaf = LogFixture.leafOf(log.inclusion(victim, held.size()).get("event"));
    assertForgeryDetected(held, leaves -> {
      List<Attacker.Leaf> copy = new ArrayList<>(leaves);
      Attacker.Leaf old = copy.get((int) index);
      copy.set((int) index, new Attacker.Leaf(old.eventId(), old.eventDate(), old.queuedAt(), forgedLeaf));
      return copy;
    });
    // Every leaf now matches its event: only the held checkpoint tells the truth.
    assertThat(firstMismatch(held.size())).isEqualTo(-1);
  }

  @Test
  void aDeletedLeafIsDetected() throws LogProofException {
    log.store("tamper-c", 6);
    log.integrate();
    Checkpoint held = log.checkpoint();
    assertForgeryDetected(held, leaves -> {
      List<Attacker.Leaf> copy = new ArrayList<>(leaves);
      copy.remove(copy.size() - 3);
      return copy;
    });
  }

  @Test
  void reorderedLeavesAreDetected() throws LogProofException {
    log.store("tamper-d", 6);
    log.integrate();
    Checkpoint held = log.checkpoint();
    assertForgeryDetected(held, leaves -> {
      List<Attacker.Leaf> copy = new ArrayList<>(leaves);
      Collections.swap(copy, copy.size() - 2, copy.size() - 4);
      return copy;
    });
  }

  /**
   * The forged tree, once the server signed it (grown by new events or not), fails consistency
   * with the held checkpoint — or, at the same size, is a fork: two signed roots for one size.
   */
  private void assertForgeryDetected(Checkpoint held, UnaryOperator<List<Attacker.Leaf>> change)
      throws LogProofException {
    Attacker.rewriteTree(fx.jdbcUrl(), change);
    // The running instance remembers what it signed and refuses to sign the forgery, round after round...
    assertThatThrownBy(() -> fx.server().trail().log().integrate()).isInstanceOf(LogTamperedException.class);
    assertThatThrownBy(() -> fx.server().trail().log().integrate()).isInstanceOf(LogTamperedException.class);
    // ...but a freshly started one, with the same key, has no memory: it signs what it finds.
    try (ServerFixture fresh = ServerFixture.onDatabase(fx.jdbcUrl(), b -> b.lifecycle(withKey(keyFile)))) {
      LogFixture forgedLog = new LogFixture(fresh);
      forgedLog.integrate();
      Checkpoint forged = forgedLog.checkpoint();
      assertThat(forgedLog.key()).isEqualTo(log.key());
      if (forged.size() >= held.size()) {
        List<byte[]> proof = forged.size() == held.size() ? List.of()
            : forgedLog.consistency(held.size(), forged.size());
        assertThatThrownBy(() -> LogProofs.verifyConsistency(held.size(), forged.size(), proof, held.rootHash(),
            forged.rootHash())).isInstanceOf(LogProofException.class);
      }
      forgedLog.store("tamper-after", 3);
      forgedLog.integrate();
      Checkpoint later = forgedLog.checkpoint();
      assertThat(later.size()).isGreaterThan(held.size());
      assertThatThrownBy(() -> LogProofs.verifyConsistency(held.size(), later.size(),
          forgedLog.consistency(held.size(), later.size()), held.rootHash(), later.rootHash()))
          .isInstanceOf(LogProofException.class).hasMessageContaining("rewritten");
    }
  }

  /** The first leaf below {@code size} whose event, as served, does not hash to it; -1 if none. */
  private long firstMismatch(long size) {
    JsonNode entries = fx.get("/api/v1/log/entries?start=0&limit=1000").json().get("entries");
    for (JsonNode e : entries) {
      if (e.get("leaf_index").asLong() < size && !e.get("event").isNull()
          && !java.util.Arrays.equals(LogFixture.leafOf(e.get("event")), LogFixture.hash(e.get("leaf_hash")))) {
        return e.get("leaf_index").asLong();
      }
    }
    return -1;
  }
}
