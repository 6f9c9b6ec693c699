package dev.auditflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.ServerFixture;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Partitions are made ahead at start and on demand in the write path, safely under concurrency. */
class PartitionTest {

  private static List<String> partitions(ServerFixture fx) throws Exception {
    List<String> names = new ArrayList<>();
    try (Connection c = fx.server().database().connection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            + " WHERE i.inhparent = 'audit_events'::regclass ORDER BY 1")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }

  private static String partitionOf(YearMonth month) {
    return String.format("audit_events_%04d_%02d", month.getYear(), month.getMonthValue());
  }

  @Test
  void startCreatesLastMonthToThreeMonthsAhead() throws Exception {
    try (ServerFixture fx = ServerFixture.start()) {
      YearMonth now = YearMonth.now(ZoneOffset.UTC);
      List<String> expected = new ArrayList<>();
      for (int i = -1; i <= 3; i++) {
        expected.add(partitionOf(now.plusMonths(i)));
      }
      assertThat(partitions(fx)).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void aMonthFarFromNowIsCreatedOnDemandEvenUnderConcurrentWritersOnTwoServers() throws Exception {
    try (ServerFixture fx = ServerFixture.start(b -> b.maxEventAge(Duration.ofDays(800)))) {
      ServerConfig second = ServerConfig.builder().host("127.0.0.1").port(0).jdbcUrl(fx.jdbcUrl())
          .maxEventAge(Duration.ofDays(800)).poolSize(4).build();
      try (AuditServer other = AuditServer.start(second)) {
        // Three months none of which exists: 20, 14 and 8 months ago.
        List<Instant> stamps = List.of(monthsAgo(20), monthsAgo(14), monthsAgo(8));
        ExecutorService pool = Executors.newFixedThreadPool(12);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> answers = new ArrayList<>();
        for (int t = 0; t < 12; t++) {
          int port = t % 2 == 0 ? fx.server().port() : other.port();
          answers.add(pool.submit(() -> {
            ArrayNode batch = AuditEventJson.mapper().createArrayNode();
            for (Instant stamp : stamps) {
              for (int i = 0; i < 10; i++) {
                batch.add(EventJson.valid("far-months", stamp.plusSeconds(i)));
              }
            }
            go.await();
            var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/api/v1/audit/events/batch"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + fx.adminToken())
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(batch.toString())).build();
            return java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode();
          }));
        }
        go.countDown();
        for (Future<Integer> answer : answers) {
          assertThat(answer.get(60, TimeUnit.SECONDS)).isEqualTo(201);
        }
        pool.shutdown();
        assertThat(fx.get("/api/v1/audit/events/count?correlation_id=far-months").json().get("count").asLong()).isEqualTo(12 * 30);
        List<String> names = partitions(fx);
        for (Instant stamp : stamps) {
          assertThat(names).containsOnlyOnce(partitionOf(YearMonth.from(stamp.atOffset(ZoneOffset.UTC))));
        }
      }
    }
  }

  @Test
  void aPartitionDroppedBehindTheServersBackIsCreatedAgainOutsideTheWriteTransaction() throws Exception {
    // The server believes next month's partition exists (it made it at start). Someone drops it.
    // The write must recreate it in auto-commit mode, as PartitionManager.ensure requires — the
    // old retry ran ensure inside the failed write's transaction.
    try (ServerFixture fx = ServerFixture.start(b -> b.maxFutureSkew(Duration.ofDays(62)))) {
      YearMonth next = YearMonth.now(ZoneOffset.UTC).plusMonths(1);
      Instant stamp = next.atDay(2).atStartOfDay().toInstant(ZoneOffset.UTC);
      if (Duration.between(Instant.now(), stamp).compareTo(Duration.ofDays(61)) > 0) {
        throw new IllegalStateException("the skew window above is too small for " + stamp);
      }
      try (Connection c = java.sql.DriverManager.getConnection(fx.jdbcUrl()); Statement s = c.createStatement()) {
        s.execute("DROP TABLE " + partitionOf(next));
      }
      var answer = fx.postJson("/api/v1/audit/events", EventJson.valid("dropped-partition", stamp).toString());
      assertThat(answer.status()).as(answer.body()).isEqualTo(201);
      assertThat(partitions(fx)).containsOnlyOnce(partitionOf(next));
      assertThat(fx.get("/api/v1/audit/events/count?correlation_id=dropped-partition").json().get("count").asLong())
          .isEqualTo(1);
    }
  }

  /** Mid-month, so that the month is unambiguous whatever the day today. */
  private static Instant monthsAgo(int months) {
    return YearMonth.now(ZoneOffset.UTC).minusMonths(months).atDay(15).atStartOfDay().toInstant(ZoneOffset.UTC);
  }
}
