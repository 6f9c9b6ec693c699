package dev.auditflow.bench;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.postgresql.PGConnection;

/**
 * Latency of {@code GET /api/v1/audit/events?correlation_id=…} over HTTP with {@code rows} events
 * stored (10 per correlation, spread over the last 20 days, loaded by COPY and ANALYZEd). Sample
 * mode: read p50 and p99 from the percentiles JMH prints.
 *
 * <p>{@code byCorrelationId} is the product: authentication, the query, and the access audit
 * record committed before the answer. {@code jdbcSelect} is its floor in the same run — the same
 * page read with one SQL statement on an open connection, no HTTP, no JSON, no audit record.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
public class QueryBenchmark {
  @Param({"1000000"})
  public int rows;

  private BenchServer server;
  private final HttpClient http = HttpClient.newHttpClient();
  private Connection jdbc;
  private PreparedStatement page;
  private int correlations;

  @Setup(Level.Trial)
  public void load() throws Exception {
    server = new BenchServer(4);
    correlations = rows / 10;
    Instant now = Instant.now();
    try (Connection c = DriverManager.getConnection(server.jdbcUrl())) {
      var copy = c.unwrap(PGConnection.class).getCopyAPI();
      int chunk = 50_000;
      for (int start = 0; start < rows; start += chunk) {
        StringBuilder sb = new StringBuilder(chunk * 400);
        for (int i = start; i < Math.min(rows, start + chunk); i++) {
          Instant ts = now.minusSeconds((long) (i % 1_728_000)); // 20 days
          String corr = "q-" + (i % correlations);
          sb.append(UUID.randomUUID()).append('\t').append(ts.atOffset(ZoneOffset.UTC).toLocalDate()).append('\t')
              .append(ts).append("\t1.0\tbench.query\tbench\tquery\tsuccess\t").append(corr)
              .append("\tservice\tbench-service\tbench\t").append(corr).append("\tinfo\t{\"n\": ").append(i)
              .append(", \"payload\": \"").append("y".repeat(250)).append("\"}\t2555\tf\n");
        }
        copy.copyIn("COPY audit_events (event_id, event_date, event_timestamp, version, event_type, event_category,"
            + " event_action, event_outcome, correlation_id, actor_type, actor_id, resource_type, resource_id, severity,"
            + " event_data, retention_days, is_sensitive) FROM STDIN", new StringReader(sb.toString()));
      }
      try (Statement s = c.createStatement()) {
        s.execute("ANALYZE audit_events");
      }
    }
    jdbc = DriverManager.getConnection(server.jdbcUrl());
    page = jdbc.prepareStatement("SELECT * FROM audit_events WHERE correlation_id = ?"
        + " ORDER BY event_timestamp DESC, event_id DESC LIMIT 101");
  }

  @TearDown(Level.Trial)
  public void stop() throws Exception {
    jdbc.close();
    server.close();
  }

  @Benchmark
  public int byCorrelationId() throws Exception {
    String corr = "q-" + ThreadLocalRandom.current().nextInt(correlations);
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
        URI.create(server.uri() + "/api/v1/audit/events?correlation_id=" + corr))
        .header("Authorization", "Bearer " + server.token()).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200 || !r.body().contains(corr)) {
      throw new IllegalStateException("bad answer " + r.statusCode());
    }
    return r.body().length();
  }

  @Benchmark
  public int jdbcSelect() throws Exception {
    String corr = "q-" + ThreadLocalRandom.current().nextInt(correlations);
    page.setString(1, corr);
    int read = 0;
    try (ResultSet rs = page.executeQuery()) {
      while (rs.next()) {
        read += rs.getString("event_data").length();
      }
    }
    if (read == 0) {
      throw new IllegalStateException("no rows for " + corr);
    }
    return read;
  }
}
