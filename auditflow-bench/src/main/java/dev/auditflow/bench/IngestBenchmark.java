package dev.auditflow.bench;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.api.Timestamps;
import dev.auditflow.api.UuidV7;
import dev.auditflow.client.http.BearerToken;
import dev.auditflow.client.http.HttpBatchTransport;
import dev.auditflow.server.log.LogSettings;
import dev.auditflow.server.trail.AuditTrail;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.postgresql.PGConnection;

/**
 * Rows per second into {@code audit_events} on a durable PostgreSQL, two writers at a time (two
 * connections — the physical limit on two cores):
 *
 * <ul>
 *   <li>{@code http}: the client library's HTTP transport → the server's batch endpoint (validate,
 *       lock chains, dedupe, hash, insert, move heads, commit), batches of 1 000;
 *   <li>{@code chainedWrite}: the server's trail ({@code AuditTrail.append}) called in-process — the whole write
 *       path with the hash chain (lock chains, dedupe, read heads, hash, insert, move heads) but
 *       no HTTP and no JSON;
 *   <li>{@code contendedWrite}: {@code chainedWrite} with both writers appending to the same 100
 *       correlations, so every batch waits for the other writer's chain locks — the worst case
 *       of several services writing one remediation's trail at once;
 *   <li>{@code plainInsert}: an {@code INSERT … SELECT FROM unnest(arrays)} of the events without
 *       any chain or id work and without HTTP — the server's write shape before it moved to COPY
 *       (V7), kept as a control whose code never changes;
 *   <li>{@code rawCopy}: PgJDBC {@code COPY} of the same rows into {@code audit_events}, every
 *       column the server writes filled as it fills them (chain position and hashes, algorithm,
 *       submitter), and their ids into {@code audit_event_ids} in the same transaction — the floor
 *       no ingest path into auditflow's schema beats;
 *   <li>{@code rawCopyMinimal}: the same {@code COPY} of the same columns into a minimal table,
 *       partitioned the same way, but only a primary key and 2 secondary indexes (correlation,
 *       time) and no id table — durable ingest that can still be queried, without what makes it
 *       auditflow's; the distance of {@code rawCopy} to it is the price of auditflow's indexes
 *       and its id table.
 * </ul>
 *
 * Each event: 300-byte {@code event_data}, 100 correlations per batch.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(2)
public class IngestBenchmark {
  static final int BATCH = 1_000;
  static final String PAYLOAD = "x".repeat(270);
  /** Stated on every event, so that every path — baselines included — stores the same value. */
  static final int RETENTION_DAYS = 2555;

  /** auditflow's columns, its partitioning and primary key, and only two secondary indexes. */
  static final String MINIMAL_TABLE =
      """
      CREATE TABLE minimal_events (LIKE audit_events INCLUDING DEFAULTS, PRIMARY KEY (event_id, event_date))
          PARTITION BY RANGE (event_date);
      CREATE INDEX minimal_events_correlation_idx ON minimal_events (correlation_id, event_timestamp, event_id);
      CREATE INDEX minimal_events_timestamp_idx ON minimal_events (event_timestamp, event_id);
      """;

  /**
   * The columns both COPY baselines write, in the order {@link #copyRows} produces them: every
   * column the server writes for these events (the ones it leaves empty for them — parent, actor
   * address, error fields — are empty here too).
   */
  static final String COPY_COLUMNS =
      "(event_id, event_date, event_timestamp, received_at, version, event_type, event_category, event_action,"
          + " event_outcome, correlation_id, actor_type, actor_id, resource_type, resource_id, severity, event_data,"
          + " retention_days, is_sensitive, chain_position, previous_event_hash, event_hash, hash_algorithm,"
          + " ingested_by)";

  /** A hash's length of hex digits, as the chain columns hold. */
  static final String HASH = "0123456789abcdef".repeat(4);

  @State(Scope.Benchmark)
  public static class Server {
    /**
     * auditflow indexes to drop before measuring, joined by {@code +} ({@code -p
     * dropIndexes=audit_events_type_idx+audit_events_actor_idx}; JMH itself splits values at
     * commas): what each index costs ingest, measured rather than guessed.
     */
    @Param({""})
    public String dropIndexes;

    /**
     * The verifiable log: {@code on} as {@code serve} runs (events queued in the write transaction,
     * the integrator running), {@code off} to measure what it costs ({@code -p log=on,off}), and
     * {@code queued} — queued but never integrated during the run — to tell the writers' share of
     * that cost from the integrator's.
     */
    @Param({"on"})
    public String log;

    /**
     * {@code on}: {@code http} and {@code chainedWrite} send events numbered by a producer epoch per
     * writer (docs/COMPLETENESS.md), {@code http} with the issued mark, as the client does by default
     * — what the producer accounts and their index cost ingest ({@code -p numbered=off,on}).
     */
    @Param({"off"})
    public String numbered;

    BenchServer server;
    AuditTrail trail;
    /** The correlations both writers of {@code contendedWrite} append to. */
    final String sharedPrefix = "bench-shared-" + UuidV7.generate().toString().substring(24);

    @Setup(Level.Trial)
    public void start() throws Exception {
      LogSettings settings = switch (log) {
        case "on" -> LogSettings.defaults();
        case "off" -> LogSettings.disabled();
        // The integrator's first round runs at start, its next a day later: after the run.
        case "queued" -> new LogSettings(true, Duration.ofDays(1), LogSettings.defaults().maxLeavesPerRound());
        default -> throw new IllegalArgumentException("log is on, off or queued, was " + log);
      };
      server = new BenchServer(4, settings);
      trail = server.server().trail();
      try (Connection c = DriverManager.getConnection(server.jdbcUrl()); Statement st = c.createStatement()) {
        for (String index : dropIndexes.split("\\+")) {
          if (!index.isBlank()) {
            st.execute("DROP INDEX " + index.strip());
          }
        }
        st.execute(MINIMAL_TABLE);
        YearMonth month = YearMonth.now(ZoneOffset.UTC);
        for (YearMonth m : List.of(month, month.plusMonths(1))) {
          st.execute("CREATE TABLE minimal_events_" + m.toString().replace("-", "_") + " PARTITION OF minimal_events"
              + " FOR VALUES FROM ('" + m.atDay(1) + "') TO ('" + m.plusMonths(1).atDay(1) + "')");
        }
      }
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
      server.close();
    }
  }

  @State(Scope.Thread)
  public static class Writer {
    HttpBatchTransport http;
    Connection connection;
    final String prefix = "bench-" + UuidV7.generate().toString().substring(24);
    /** The COPY baselines' chain positions, per correlation. */
    final Map<String, Long> positions = new java.util.HashMap<>();
    /** This writer's producer epoch, when the events are numbered; null when not. */
    UUID epoch;
    long lastSeq;

    @Setup(Level.Trial)
    public void open(Server s) throws Exception {
      http = new HttpBatchTransport(s.server.uri(), BearerToken.of(s.server.token()), null);
      connection = DriverManager.getConnection(s.server.jdbcUrl());
      epoch = s.numbered.equals("on") ? UuidV7.generate() : null;
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
      connection.close();
    }

    List<AuditEvent> batch() {
      List<AuditEvent> events = batch(prefix);
      if (epoch == null) {
        return events;
      }
      List<AuditEvent> numbered = new ArrayList<>(events.size());
      events.forEach(e -> numbered.add(e.withProducer("bench@" + prefix, epoch, ++lastSeq)));
      return numbered;
    }

    /** 1 000 events over 100 correlations named {@code prefix-0} … {@code prefix-99}. */
    static List<AuditEvent> batch(String prefix) {
      List<AuditEvent> events = new ArrayList<>(BATCH);
      Instant now = Instant.now();
      for (int i = 0; i < BATCH; i++) {
        events.add(AuditEvent.builder().eventType("bench.ingest").eventTimestamp(now).eventCategory("bench")
            .eventAction("ingest").eventOutcome(EventOutcome.SUCCESS)
            .correlationId(prefix + "-" + ThreadLocalRandom.current().nextInt(100))
            .eventData(Map.of("payload", PAYLOAD, "n", i)).retentionDays(RETENTION_DAYS).build());
      }
      return events;
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void http(Writer w) throws Exception {
    List<AuditEvent> batch = w.batch();
    if (w.epoch == null) {
      w.http.send(batch, Duration.ofSeconds(60));
    } else {
      w.http.send(batch, w.lastSeq, Duration.ofSeconds(60));
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void chainedWrite(Server s, Writer w) {
    s.trail.append(w.batch(), "token:bench");
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void contendedWrite(Server s) {
    s.trail.append(Writer.batch(s.sharedPrefix), "token:bench");
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void plainInsert(Writer w) throws Exception {
    List<AuditEvent> events = w.batch();
    Connection c = w.connection;
    c.setAutoCommit(false);
    // The server's INSERT shape before V7 (arrays plus one JSON array for event_data), minus the chain.
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO audit_events (event_id, event_date, event_timestamp, version, event_type, event_category,"
            + " event_action, event_outcome, correlation_id, actor_type, actor_id, resource_type, resource_id,"
            + " severity, retention_days, is_sensitive, event_data)"
            + " SELECT u.event_id, u.event_date, u.ts, u.version, u.event_type, u.event_category, u.event_action,"
            + " u.event_outcome, u.correlation_id, u.actor_type, u.actor_id, u.resource_type, u.resource_id, u.severity,"
            + " u.retention_days, u.is_sensitive, d.event_data"
            + " FROM unnest(?::uuid[], ?::date[], ?::timestamptz[], ?::text[], ?::text[], ?::text[], ?::text[],"
            + " ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int[], ?::bool[])"
            + " WITH ORDINALITY AS u(event_id, event_date, ts, version, event_type, event_category, event_action,"
            + " event_outcome, correlation_id, actor_type, actor_id, resource_type, resource_id, severity,"
            + " retention_days, is_sensitive, n)"
            + " JOIN jsonb_array_elements(?::jsonb) WITH ORDINALITY AS d(event_data, n) ON d.n = u.n"
            + " ON CONFLICT (event_id, event_date) DO NOTHING")) {
      Object[][] cols = new Object[16][BATCH];
      StringBuilder data = new StringBuilder(BATCH * 320).append('[');
      for (int i = 0; i < BATCH; i++) {
        AuditEvent e = events.get(i);
        Object[] row = {e.eventId().toString(), e.eventTimestamp().atOffset(ZoneOffset.UTC).toLocalDate().toString(),
            Timestamps.format(e.eventTimestamp()), e.version(), e.eventType(), e.eventCategory(), e.eventAction(),
            e.eventOutcome().wireName(), e.correlationId(), e.actorType(), e.actorId(), e.resourceType(),
            e.resourceId(), e.severity(), e.retentionDays(), e.sensitive()};
        for (int col = 0; col < 16; col++) {
          cols[col][i] = row[col];
        }
        data.append(i == 0 ? "" : ",").append(e.eventData().toString());
      }
      for (int col = 0; col < 16; col++) {
        String type = col == 14 ? "int4" : col == 15 ? "bool" : "text";
        ps.setArray(col + 1, c.createArrayOf(type, cols[col]));
      }
      ps.setString(17, data.append(']').toString());
      ps.executeUpdate();
    }
    c.commit();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void rawCopy(Writer w) throws Exception {
    List<AuditEvent> events = w.batch();
    Connection c = w.connection;
    c.setAutoCommit(false);
    copy(c, "audit_events " + COPY_COLUMNS, copyRows(events, w.positions));
    StringBuilder ids = new StringBuilder(BATCH * 48);
    for (AuditEvent e : events) {
      ids.append(e.eventId()).append('\t').append(e.eventTimestamp().atOffset(ZoneOffset.UTC).toLocalDate()).append('\n');
    }
    copy(c, "audit_event_ids (event_id, event_date)", ids.toString());
    c.commit();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void rawCopyMinimal(Writer w) throws Exception {
    Connection c = w.connection;
    c.setAutoCommit(false);
    copy(c, "minimal_events " + COPY_COLUMNS, copyRows(w.batch(), w.positions));
    c.commit();
  }

  private static void copy(Connection c, String target, String rows) throws Exception {
    c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + target + " FROM STDIN", new StringReader(rows));
  }

  /**
   * COPY's text format: tab-separated columns, one event per line, backslashes escaped; the chain
   * columns hold a position per correlation and hashes of the real length.
   */
  private static String copyRows(List<AuditEvent> events, Map<String, Long> positions) {
    StringBuilder rows = new StringBuilder(BATCH * 700);
    String received = Timestamps.format(Instant.now());
    for (AuditEvent e : events) {
      rows.append(e.eventId()).append('\t')
          .append(e.eventTimestamp().atOffset(ZoneOffset.UTC).toLocalDate()).append('\t')
          .append(Timestamps.format(e.eventTimestamp())).append('\t').append(received).append('\t')
          .append(e.version()).append('\t').append(e.eventType()).append('\t').append(e.eventCategory()).append('\t')
          .append(e.eventAction()).append('\t').append(e.eventOutcome().wireName()).append('\t')
          .append(e.correlationId()).append('\t').append(e.actorType()).append('\t').append(e.actorId()).append('\t')
          .append(e.resourceType()).append('\t').append(e.resourceId()).append('\t').append(e.severity())
          .append('\t').append(e.eventData().toString().replace("\\", "\\\\")).append('\t')
          .append(e.retentionDays()).append('\t').append(e.sensitive() ? 't' : 'f').append('\t')
          .append(positions.merge(e.correlationId(), 1L, Long::sum)).append('\t').append(HASH).append('\t')
          .append(HASH).append("\tsha256\ttoken:bench\n");
    }
    return rows.toString();
  }
}
