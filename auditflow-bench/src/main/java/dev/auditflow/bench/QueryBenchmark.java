package dev.auditflow.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
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

/**
 * Latency of {@code GET /api/v1/audit/events?correlation_id=…} over HTTP with {@code rows} events
 * stored ({@link QueryData}: 10 per correlation, spread over the last 20 days, loaded by COPY and ANALYZEd). Sample
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
    correlations = QueryData.correlations(rows);
    QueryData.load(server.jdbcUrl(), rows, Instant.now());
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
    String corr = QueryData.correlation(ThreadLocalRandom.current().nextInt(correlations));
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
    String corr = QueryData.correlation(ThreadLocalRandom.current().nextInt(correlations));
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
