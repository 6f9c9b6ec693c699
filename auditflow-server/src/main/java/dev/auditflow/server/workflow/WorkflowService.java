package dev.auditflow.server.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.Timestamps;
import dev.auditflow.api.UuidV7;
import dev.auditflow.server.db.Database;
import dev.auditflow.server.db.SqlFailures;
import dev.auditflow.server.failure.ConflictException;
import dev.auditflow.server.failure.NotFoundException;
import dev.auditflow.server.failure.RequestRefusedException;
import dev.auditflow.server.trail.AuditTrail;
import dev.auditflow.server.trail.Cursor;
import dev.auditflow.server.trail.Page;
import dev.auditflow.server.trail.ServerRecord;
import dev.auditflow.server.trail.ServerVocabulary;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.postgresql.util.PSQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workflow catalog. Every create and status change is written together with its audit event
 * — through the audit store's own write path, in the same transaction — so the catalog never
 * changes without a record of it, and a failed audit write undoes the change.
 */
public final class WorkflowService {
  private static final Logger log = LoggerFactory.getLogger(WorkflowService.class);
  static final String UNIQUE_NAME_VERSION = "workflows_name_version_key";
  private static final String UNIQUE_VIOLATION = "23505";
  private static final String COLUMNS =
      "workflow_id, workflow_name, version, name, description, content, content_hash, labels, execution_engine, owner,"
          + " maintainer, container_image, parameters, status, status_reason, updated_by, is_latest_version, created_at,"
          + " updated_at, custom_labels, detected_labels, container_digest";

  private final Database database;
  private final AuditTrail trail;
  private final Clock clock;

  public WorkflowService(Database database, AuditTrail trail, Clock clock) {
    this.database = database;
    this.trail = trail;
    this.clock = clock;
  }

  /**
   * Stores a new workflow version as the latest of its name.
   *
   * @throws RequestRefusedException 409 if that (workflow_name, version) exists — detected from the unique
   *     constraint, so two concurrent creates cannot both succeed
   */
  public Workflow create(NewWorkflow w, ServerRecord.Actor caller) {
    UUID id = UuidV7.generate();
    Instant now = Timestamps.normalize(clock.instant());
    AuditEvent audit = auditEvent(ServerVocabulary.WORKFLOW_TYPE_PREFIX + "created", "create", id, w, now,
        Map.of("workflow_name", w.workflowName(), "version", w.version(), "content_hash", w.contentHash(), "status", w.status()),
        w.owner(), caller);
    return trail.appendWith("creating workflow " + w.workflowName(), now, (tx, events) -> {
      lockName(tx, w.workflowName());
      try {
        insert(tx, id, w, now);
      } catch (SQLException e) {
        if (isDuplicateNameVersion(e)) {
          // A client error, not ours: INFO, not ERROR.
          log.info("workflow already exists workflow_name={} version={}", w.workflowName(), w.version());
          throw new ConflictException("workflow \"" + w.workflowName() + "\" version \"" + w.version() + "\" already exists");
        }
        throw e;
      }
      try (PreparedStatement ps = tx.prepareStatement(
          "UPDATE workflows SET is_latest_version = false, updated_at = ? WHERE workflow_name = ? AND workflow_id <> ? AND is_latest_version")) {
        ps.setObject(1, now.atOffset(ZoneOffset.UTC));
        ps.setString(2, w.workflowName());
        ps.setObject(3, id);
        ps.executeUpdate();
      }
      events.append(List.of(audit), caller.id());
      return new Workflow(id, w, w.status(), null, null, true, now, now);
    });
  }

  private static boolean isDuplicateNameVersion(SQLException e) {
    return UNIQUE_VIOLATION.equals(e.getSQLState())
        && e instanceof PSQLException psql
        && psql.getServerErrorMessage() != null
        && UNIQUE_NAME_VERSION.equals(psql.getServerErrorMessage().getConstraint());
  }

  /** Writers of one workflow name queue here, so exactly one version ends up latest. */
  private static void lockName(Connection c, String workflowName) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended('workflow:' || ?, 0))")) {
      ps.setString(1, workflowName);
      ps.execute();
    }
  }

  private static void insert(Connection c, UUID id, NewWorkflow w, Instant now) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO workflows (" + COLUMNS + ", signal_type, severity,"
        + " component, environment, priority) VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?::jsonb, ?, NULL, NULL,"
        + " true, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?, ?)")) {
      int i = 1;
      ps.setObject(i++, id);
      ps.setString(i++, w.workflowName());
      ps.setString(i++, w.version());
      ps.setString(i++, w.name());
      ps.setString(i++, w.description());
      ps.setString(i++, w.content());
      ps.setString(i++, w.contentHash());
      ps.setString(i++, w.labels().toString());
      ps.setString(i++, w.executionEngine());
      ps.setString(i++, w.owner());
      ps.setString(i++, w.maintainer());
      ps.setString(i++, w.containerImage());
      ps.setString(i++, w.parameters() == null ? null : w.parameters().toString());
      ps.setString(i++, w.status());
      ps.setObject(i++, now.atOffset(ZoneOffset.UTC));
      ps.setObject(i++, now.atOffset(ZoneOffset.UTC));
      ps.setString(i++, w.customLabels() == null ? null : w.customLabels().toString());
      ps.setString(i++, w.detectedLabels() == null ? null : w.detectedLabels().toString());
      ps.setString(i++, w.containerDigest());
      for (String label : List.of("signal_type", "severity", "component")) {
        ps.setString(i++, Workflow.label(w.labels(), label));
      }
      ps.setArray(i++, c.createArrayOf("text", w.environments().toArray()));
      ps.setString(i++, Workflow.label(w.labels(), "priority"));
      ps.executeUpdate();
    }
  }

  public Optional<Workflow> get(UUID id) {
    try (Connection c = database.connection()) {
      return get(c, id, false);
    } catch (SQLException e) {
      throw SqlFailures.translate("reading workflow " + id, e);
    }
  }

  private static Optional<Workflow> get(Connection c, UUID id, boolean forUpdate) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM workflows WHERE workflow_id = ?"
        + (forUpdate ? " FOR UPDATE" : ""))) {
      ps.setObject(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    }
  }

  /** Changes status, and records the change as an audit event in the same transaction. */
  public Workflow changeStatus(UUID id, WorkflowRequests.StatusChange change, ServerRecord.Actor caller) {
    Instant now = Timestamps.normalize(clock.instant());
    return trail.appendWith("changing the status of workflow " + id, now, (tx, events) -> {
      Workflow before = get(tx, id, true)
          .orElseThrow(() -> new NotFoundException("no workflow with id " + id));
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("workflow_name", before.definition().workflowName());
      data.put("version", before.definition().version());
      data.put("from_status", before.status());
      data.put("to_status", change.status());
      if (change.reason() != null) {
        data.put("status_reason", change.reason());
      }
      AuditEvent audit = auditEvent(ServerVocabulary.WORKFLOW_TYPE_PREFIX + "status_changed", "change_status", id, before.definition(),
          now, data, change.updatedBy(), caller);
      try (PreparedStatement ps = tx.prepareStatement(
          "UPDATE workflows SET status = ?, status_reason = ?, updated_by = ?, updated_at = ? WHERE workflow_id = ?")) {
        ps.setString(1, change.status());
        ps.setString(2, change.reason());
        ps.setString(3, change.updatedBy());
        ps.setObject(4, now.atOffset(ZoneOffset.UTC));
        ps.setObject(5, id);
        ps.executeUpdate();
      }
      events.append(List.of(audit), caller.id());
      return new Workflow(id, before.definition(), change.status(), change.reason(), change.updatedBy(),
          before.latestVersion(), before.createdAt(), now);
    });
  }

  /** Filters of the list endpoint; null means "any". */
  public record Filter(String status, String environment, String priority, String component, String workflowName,
      boolean latestOnly) {}

  /** A page of workflows, newest first by default, and where the next page starts. */
  public record Result(List<Workflow> workflows, boolean hasMore, Cursor next) {}

  public Result list(Filter f, Page page) {
    List<String> where = new ArrayList<>();
    List<Object> params = new ArrayList<>();
    filter(f, where, params);
    if (page.after() != null) {
      where.add("(created_at, workflow_id) " + (page.descending() ? "<" : ">") + " (?, ?)");
      params.add(page.after().timestamp().atOffset(ZoneOffset.UTC));
      params.add(page.after().eventId());
    }
    String direction = page.descending() ? "DESC" : "ASC";
    String sql = "SELECT " + COLUMNS + " FROM workflows" + where(where)
        + " ORDER BY created_at " + direction + ", workflow_id " + direction + " LIMIT " + (page.limit() + 1)
        + (page.offset() == null ? "" : " OFFSET " + page.offset());
    return query(sql, params, page);
  }

  /** How many workflows match, for Kubernaut's {@code total}. */
  public long count(Filter f) {
    List<String> where = new ArrayList<>();
    List<Object> params = new ArrayList<>();
    filter(f, where, params);
    try (Connection c = database.connection();
        PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM workflows" + where(where))) {
      for (int i = 0; i < params.size(); i++) {
        ps.setObject(i + 1, params.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw SqlFailures.translate("counting workflows", e);
    }
  }

  private static void filter(Filter f, List<String> where, List<Object> params) {
    addEquals(where, params, "status", f.status());
    if (f.environment() != null) {
      // A workflow for "*" serves every environment.
      where.add("(? = ANY (environment) OR '*' = ANY (environment))");
      params.add(f.environment());
    }
    addEquals(where, params, "priority", f.priority());
    addEquals(where, params, "component", f.component());
    addEquals(where, params, "workflow_name", f.workflowName());
    if (f.latestOnly()) {
      where.add("is_latest_version");
    }
  }

  private static String where(List<String> where) {
    return where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where);
  }

  /** Every version of a name, oldest first. */
  public List<Workflow> versions(String workflowName) {
    return query("SELECT " + COLUMNS + " FROM workflows WHERE workflow_name = ? ORDER BY created_at, workflow_id LIMIT 1001",
        List.of(workflowName), new Page(1000, false, null)).workflows();
  }

  private Result query(String sql, List<Object> params, Page page) {
    List<Workflow> rows = new ArrayList<>();
    boolean more = false;
    try (Connection c = database.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.size(); i++) {
        ps.setObject(i + 1, params.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (rows.size() == page.limit()) {
            more = true;
            break;
          }
          rows.add(read(rs));
        }
      }
    } catch (SQLException e) {
      throw SqlFailures.translate("listing workflows", e);
    }
    Cursor next = null;
    if (more) {
      Workflow last = rows.get(rows.size() - 1);
      next = new Cursor(last.createdAt(), last.workflowId(), page.descending());
    }
    return new Result(rows, more, next);
  }

  private static void addEquals(List<String> where, List<Object> params, String column, String value) {
    if (value != null) {
      where.add(column + " = ?");
      params.add(value);
    }
  }

  private static Workflow read(ResultSet rs) throws SQLException {
    try {
      NewWorkflow d = new NewWorkflow(rs.getString("workflow_name"), rs.getString("version"), rs.getString("name"),
          rs.getString("description"), rs.getString("content"), rs.getString("content_hash"),
          (ObjectNode) json(rs, "labels"), rs.getString("execution_engine"), rs.getString("owner"),
          rs.getString("maintainer"), rs.getString("container_image"), rs.getString("container_digest"),
          json(rs, "parameters"), (ObjectNode) json(rs, "custom_labels"), (ObjectNode) json(rs, "detected_labels"),
          rs.getString("status"));
      return new Workflow(rs.getObject("workflow_id", UUID.class), d, rs.getString("status"),
          rs.getString("status_reason"), rs.getString("updated_by"), rs.getBoolean("is_latest_version"),
          rs.getObject("created_at", OffsetDateTime.class).toInstant(),
          rs.getObject("updated_at", OffsetDateTime.class).toInstant());
    } catch (IOException e) {
      throw new SQLException("stored workflow JSON unreadable", e);
    }
  }

  private static JsonNode json(ResultSet rs, String column) throws SQLException, IOException {
    String text = rs.getString(column);
    return text == null ? null : AuditEventJson.mapper().readTree(text);
  }

  /**
   * The catalog's record: Kubernaut's type names and category; the actor is who the request names
   * ({@code updated_by}), or the caller when it names no one.
   */
  private static AuditEvent auditEvent(String type, String action, UUID workflowId, NewWorkflow w, Instant now,
      Map<String, ?> data, String namedActor, ServerRecord.Actor caller) {
    return new ServerRecord(type, action, ServerVocabulary.WORKFLOW_CHAIN_PREFIX + workflowId,
        namedActor == null ? caller : ServerRecord.Actor.named(namedActor),
        new ServerRecord.Resource("workflow", workflowId.toString(), w.workflowName() + "@" + w.version()), data)
        .toEvent(now);
  }
}
