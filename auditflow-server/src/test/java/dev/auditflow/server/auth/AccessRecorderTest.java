package dev.auditflow.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.trail.EventIdConflictException;
import dev.auditflow.server.trail.ServerRecord;
import dev.auditflow.server.trail.ServerVocabulary;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Group commit of access records on the real trail: the first reader's commit is held up by a
 * transaction of the test's holding that reader's chain, so that the readers who arrive meanwhile
 * are queued — then released, and counted.
 */
class AccessRecorderTest {
  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ExecutorService readers = Executors.newCachedThreadPool();
  private AccessRecorder recorder;

  @BeforeEach
  void open() {
    recorder = new AccessRecorder(fx.server().trail(), registry);
  }

  @AfterEach
  void close() {
    recorder.close();
    readers.shutdownNow();
  }

  private static String principal(String name) {
    return "token:" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static AuditEvent access(String principal, int n) {
    return new ServerRecord(ServerVocabulary.TYPE_PREFIX + "access.query", "query",
        ServerVocabulary.ACCESS_CHAIN_PREFIX + principal, new ServerRecord.Actor("service", principal, null),
        new ServerRecord.Resource("api", "/api/v1/audit/events", null), Map.of("n", n)).toEvent(Instant.now());
  }

  private Future<?> read(AuditEvent record, String principal) {
    return read(recorder, record, principal);
  }

  private Future<?> read(AccessRecorder by, AuditEvent record, String principal) {
    return readers.submit(() -> by.record(record, principal));
  }

  /** Holds {@code principal}'s access chain in a transaction of the test's until the connection rolls back. */
  private static Connection holdChain(String principal) throws Exception {
    Connection c = DriverManager.getConnection(fx.jdbcUrl());
    c.setAutoCommit(false);
    try (PreparedStatement ps = c.prepareStatement("SELECT auditflow_lock_chains(?::text[])")) {
      ps.setArray(1, c.createArrayOf("text", new String[] {ServerVocabulary.ACCESS_CHAIN_PREFIX + principal}));
      ps.execute();
    }
    return c;
  }

  private static long waitingForALock() throws Exception {
    try (Connection c = DriverManager.getConnection(fx.jdbcUrl());
        ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM pg_locks WHERE NOT granted")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private int queued() {
    return queued(registry);
  }

  private static int queued(SimpleMeterRegistry of) {
    return (int) of.get("auditflow.access.records.waiting").gauge().value();
  }

  private DistributionSummary groups() {
    return groups(registry);
  }

  private static DistributionSummary groups(SimpleMeterRegistry of) {
    return of.get("auditflow.access.commit.records").summary();
  }

  /** The {@code n} of each record in {@code principal}'s access chain, in chain order. */
  private static List<Integer> chainOrder(String principal) throws Exception {
    try (Connection c = DriverManager.getConnection(fx.jdbcUrl()); PreparedStatement ps = c.prepareStatement(
        "SELECT (event_data->>'n')::int FROM audit_events WHERE correlation_id = ? ORDER BY chain_position")) {
      ps.setString(1, ServerVocabulary.ACCESS_CHAIN_PREFIX + principal);
      List<Integer> order = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          order.add(rs.getInt(1));
        }
      }
      return order;
    }
  }

  @Test
  void readersWhoArriveDuringACommitShareTheNextOneInTheirOrder() throws Exception {
    String alice = principal("alice");
    String bob = principal("bob");
    List<Future<?>> answered = new ArrayList<>();
    try (Connection holder = holdChain(alice)) {
      answered.add(read(access(alice, 0), alice));
      await().atMost(Duration.ofSeconds(10)).until(() -> waitingForALock() > 0);
      // Queued one after another, each only once the one before is: the order they arrived in.
      for (int n = 1; n <= 3; n++) {
        for (String p : List.of(alice, bob)) {
          answered.add(read(access(p, n), p));
          int expected = answered.size() - 1; // all but the first, whose commit waits
          await().atMost(Duration.ofSeconds(10)).until(() -> queued() == expected);
        }
      }
      assertThat(answered).noneMatch(Future::isDone);
      holder.rollback();
    }
    for (Future<?> a : answered) {
      a.get(10, TimeUnit.SECONDS);
    }
    assertThat(groups().count()).as("commits").isEqualTo(2);
    assertThat(groups().totalAmount()).isEqualTo(7);
    assertThat(groups().max()).isEqualTo(6);
    assertThat(chainOrder(alice)).containsExactly(0, 1, 2, 3);
    assertThat(chainOrder(bob)).containsExactly(1, 2, 3);
    for (String p : List.of(alice, bob)) {
      JsonNode verified = fx.postJson("/api/v1/audit/verify", AuditEventJson.mapper().createObjectNode()
          .put("correlation_id", ServerVocabulary.ACCESS_CHAIN_PREFIX + p).toString()).json();
      assertThat(verified.get("verified").asBoolean()).as(verified.toString()).isTrue();
    }
  }

  /**
   * Two servers on one database, each committing a group that holds alice's and bob's records in
   * the opposite order. Gates (chains held by the test) stage it so that one group already holds
   * what it locked first while the other starts: groups that locked their chains one principal at
   * a time, in arrival order, deadlock here every time — PostgreSQL then aborts one after
   * {@code deadlock_timeout} and its records are committed one by one — so the test asserts that
   * each group was committed whole, at once.
   */
  @Test
  void twoInstancesCommittingCrossedGroupsDoNotDeadlock() throws Exception {
    String alice = principal("alice");
    String bob = principal("bob");
    String x = principal("gate-x");
    String y = principal("gate-y");
    String z = principal("gate-z");
    SimpleMeterRegistry registryB = new SimpleMeterRegistry();
    List<Future<?>> answered = new ArrayList<>();
    try (AccessRecorder other = new AccessRecorder(fx.server().trail(), registryB);
        Connection holdX = holdChain(x); Connection holdY = holdChain(y); Connection holdZ = holdChain(z)) {
      // This instance: a commit waiting for x, then the group [alice, y, bob].
      answered.add(read(access(x, 0), x));
      await().atMost(Duration.ofSeconds(10)).until(() -> waitingForALock() == 1);
      for (String p : List.of(alice, y, bob)) {
        answered.add(read(access(p, 1), p));
        int expected = answered.size() - 1;
        await().atMost(Duration.ofSeconds(10)).until(() -> queued() == expected);
      }
      // The other: a commit waiting for z, then the group [bob, alice].
      answered.add(read(other, access(z, 0), z));
      await().atMost(Duration.ofSeconds(10)).until(() -> waitingForALock() == 2);
      answered.add(read(other, access(bob, 2), bob));
      await().atMost(Duration.ofSeconds(10)).until(() -> queued(registryB) == 1);
      answered.add(read(other, access(alice, 2), alice));
      await().atMost(Duration.ofSeconds(10)).until(() -> queued(registryB) == 2);

      holdX.rollback(); // this instance's group starts and stops at y, holding what it locked before y
      await().atMost(Duration.ofSeconds(10)).until(() -> queued() == 0 && waitingForALock() == 2);
      holdZ.rollback(); // the other's group starts: it waits for this one's chains or is done
      List<Future<?>> othersGroup = answered.subList(answered.size() - 2, answered.size());
      await().atMost(Duration.ofSeconds(10)).until(() -> queued(registryB) == 0
          && (waitingForALock() == 2 || othersGroup.stream().allMatch(Future::isDone)));
      holdY.rollback();
      for (Future<?> a : answered) {
        a.get(10, TimeUnit.SECONDS);
      }
    }
    assertThat(groups().count()).as("this instance's commits").isEqualTo(2);
    assertThat(groups().max()).isEqualTo(3);
    assertThat(groups(registryB).count()).as("the other instance's commits").isEqualTo(2);
    assertThat(groups(registryB).max()).isEqualTo(2);
    assertThat(chainOrder(alice)).hasSize(2);
    assertThat(chainOrder(bob)).hasSize(2);
  }

  @Test
  void aRecordTheTrailRefusesFailsAloneAndTheOthersInItsGroupAreCommitted() throws Exception {
    String alice = principal("alice");
    String bob = principal("bob");
    AuditEvent stored = access(alice, 0);
    recorder.record(stored, alice);
    // The same event id on another day: the trail refuses it as a conflict.
    AuditEvent conflicting = stored.toBuilder().eventTimestamp(stored.eventTimestamp().minus(Duration.ofDays(2)))
        .eventData(AuditEventJson.mapper().createObjectNode().put("n", 99)).build();
    Future<?> good;
    Future<?> refused;
    Future<?> other;
    try (Connection holder = holdChain(alice)) {
      Future<?> blocked = read(access(alice, 1), alice);
      await().atMost(Duration.ofSeconds(10)).until(() -> waitingForALock() > 0);
      good = read(access(alice, 2), alice);
      await().atMost(Duration.ofSeconds(10)).until(() -> queued() == 1);
      refused = read(conflicting, alice);
      await().atMost(Duration.ofSeconds(10)).until(() -> queued() == 2);
      other = read(access(bob, 1), bob);
      await().atMost(Duration.ofSeconds(10)).until(() -> queued() == 3);
      holder.rollback();
      blocked.get(10, TimeUnit.SECONDS);
    }
    good.get(10, TimeUnit.SECONDS);
    other.get(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(EventIdConflictException.class);
    assertThat(chainOrder(alice)).containsExactly(0, 1, 2);
    assertThat(chainOrder(bob)).containsExactly(1);
  }

  @Test
  void aRecordHandedOverAfterCloseFailsAndNothingWaitsForever() throws Exception {
    String alice = principal("alice");
    recorder.close();
    assertThatThrownBy(() -> recorder.record(access(alice, 0), alice)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("stopping");
    assertThat(chainOrder(alice)).isEmpty();
  }
}
