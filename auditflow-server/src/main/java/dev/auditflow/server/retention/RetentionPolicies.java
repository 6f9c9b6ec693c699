package dev.auditflow.server.retention;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.UuidV7;
import dev.auditflow.server.db.Database;
import dev.auditflow.server.db.SqlFailures;
import dev.auditflow.server.trail.Retention;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The retention policies, read from {@code retention_policies} and kept in memory (reloaded every
 * {@link #RELOAD} and at once after a change here), so that storing an event never waits for them
 * and works while PostgreSQL is down (the dead-letter queue still takes events).
 *
 * <p>An event without {@code retention_days} gets the most specific policy's: one for its
 * {@code event_type} (and category, if the policy names one), else one for its {@code
 * event_category}, else the default. An event with its own value keeps it, raised to the floor if
 * below — a producer cannot make its own trail vanish sooner than policy allows. The floor is that
 * policy's {@code minimum_days}, or where it names none the default policy's (30 days as shipped,
 * V11).
 */
public final class RetentionPolicies implements Retention {
  public static final UUID DEFAULT_POLICY = UUID.fromString("00000000-0000-7000-8000-000000000000");
  static final Duration RELOAD = Duration.ofSeconds(30);
  private static final String COLUMNS =
      "policy_id, event_category, event_type, retention_days, minimum_days, updated_by, updated_at";

  /** One policy; {@code eventCategory} and {@code eventType} null for the default. */
  public record Policy(UUID id, String eventCategory, String eventType, int retentionDays, Integer minimumDays,
      String updatedBy, Instant updatedAt) {

    boolean matches(AuditEvent e) {
      return (eventCategory == null || eventCategory.equals(e.eventCategory()))
          && (eventType == null || eventType.equals(e.eventType()));
    }

    /** Higher is more specific: type and category, type, category, default. */
    int specificity() {
      return (eventType != null ? 2 : 0) + (eventCategory != null ? 1 : 0);
    }
  }

  private final Database database;
  private final Clock clock;
  private final ReentrantLock reloading = new ReentrantLock();
  private volatile List<Policy> policies;
  private volatile Instant loadedAt;

  public RetentionPolicies(Database database, Clock clock) {
    this.database = database;
    this.clock = clock;
    reload();
  }

  @Override
  public int effectiveDays(AuditEvent event) {
    reloadIfStale();
    Policy policy = policyFor(event);
    if (event.retentionDays() == null) {
      return policy.retentionDays();
    }
    Integer floor = policy.minimumDays() != null ? policy.minimumDays() : defaultPolicy().minimumDays();
    return floor == null ? event.retentionDays() : Math.max(event.retentionDays(), floor);
  }

  private Policy defaultPolicy() {
    return policies.stream().filter(p -> p.id().equals(DEFAULT_POLICY)).findFirst()
        .orElseThrow(() -> new IllegalStateException("the default retention policy is missing"));
  }

  /** The policy that decides {@code event}'s retention. */
  public Policy policyFor(AuditEvent event) {
    Policy best = null;
    for (Policy p : policies) {
      if (p.matches(event) && (best == null || p.specificity() > best.specificity())) {
        best = p;
      }
    }
    return Objects.requireNonNull(best, "the default retention policy is missing");
  }

  public List<Policy> list() {
    reload();
    return policies;
  }

  /**
   * Sets the policy for a scope (category and/or type; both null: the default), replacing the
   * one there.
   */
  public Policy put(String eventCategory, String eventType, int retentionDays, Integer minimumDays, String by) {
    Instant now = clock.instant();
    try (Connection c = database.connection(); PreparedStatement ps = c.prepareStatement(
        "INSERT INTO retention_policies (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT ((coalesce(event_category, '')), (coalesce(event_type, ''))) DO UPDATE SET"
            + " retention_days = excluded.retention_days, minimum_days = excluded.minimum_days,"
            + " updated_by = excluded.updated_by, updated_at = excluded.updated_at RETURNING " + COLUMNS)) {
      ps.setObject(1, eventCategory == null && eventType == null ? DEFAULT_POLICY : UuidV7.generate());
      ps.setString(2, eventCategory);
      ps.setString(3, eventType);
      ps.setInt(4, retentionDays);
      ps.setObject(5, minimumDays);
      ps.setString(6, by);
      ps.setObject(7, now.atOffset(ZoneOffset.UTC));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        Policy policy = read(rs);
        reload();
        return policy;
      }
    } catch (SQLException e) {
      throw SqlFailures.translate("setting a retention policy", e);
    }
  }

  /** Removes a policy; the default cannot be removed, only changed. Empty when there is no such policy. */
  public Optional<Policy> delete(UUID id) {
    if (DEFAULT_POLICY.equals(id)) {
      throw new IllegalArgumentException("the default policy cannot be removed; set its retention_days instead");
    }
    try (Connection c = database.connection(); PreparedStatement ps = c.prepareStatement(
        "DELETE FROM retention_policies WHERE policy_id = ? RETURNING " + COLUMNS)) {
      ps.setObject(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        Optional<Policy> deleted = rs.next() ? Optional.of(read(rs)) : Optional.empty();
        reload();
        return deleted;
      }
    } catch (SQLException e) {
      throw SqlFailures.translate("removing a retention policy", e);
    }
  }

  private void reloadIfStale() {
    if (Duration.between(loadedAt, clock.instant()).compareTo(RELOAD) < 0 || !reloading.tryLock()) {
      return;
    }
    try {
      reload();
    } catch (RuntimeException e) {
      // The database is down: keep deciding with the policies last read.
      loadedAt = clock.instant();
    } finally {
      reloading.unlock();
    }
  }

  private void reload() {
    List<Policy> read = new ArrayList<>();
    try (Connection c = database.connection(); PreparedStatement ps = c.prepareStatement(
        "SELECT " + COLUMNS + " FROM retention_policies ORDER BY event_category NULLS FIRST, event_type NULLS FIRST");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        read.add(read(rs));
      }
    } catch (SQLException e) {
      throw SqlFailures.translate("reading the retention policies", e);
    }
    policies = List.copyOf(read);
    loadedAt = clock.instant();
  }

  private static Policy read(ResultSet rs) throws SQLException {
    return new Policy(rs.getObject("policy_id", UUID.class), rs.getString("event_category"), rs.getString("event_type"),
        rs.getInt("retention_days"), (Integer) rs.getObject("minimum_days"), rs.getString("updated_by"),
        rs.getObject("updated_at", OffsetDateTime.class).toInstant());
  }
}
