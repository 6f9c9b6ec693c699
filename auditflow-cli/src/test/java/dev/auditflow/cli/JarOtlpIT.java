package dev.auditflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.cli.jar.JarApi;
import dev.auditflow.cli.jar.JarProcess;
import dev.auditflow.server.testing.RedisServerProcess;
import dev.auditflow.server.testing.TestDatabase;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.LogRecordBuilder;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * OTLP logs into the built jar (docs/OTLP.md) from the real OpenTelemetry Java SDK — a
 * {@code BatchLogRecordProcessor} in front of {@code OtlpHttpLogRecordExporter}, gzip on, the
 * bearer token in the exporter's headers, records emitted inside real spans — and the seed's
 * trickle measured through that path: emit → queryable.
 */
class JarOtlpIT {
  private static final AttributeKey<String> CATEGORY = AttributeKey.stringKey("audit.event_category");
  private static final AttributeKey<String> ACTION = AttributeKey.stringKey("audit.event_action");
  private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("audit.event_outcome");
  private static final AttributeKey<String> CORRELATION = AttributeKey.stringKey("audit.correlation_id");

  private static Path work;
  private static String db;
  private static URI base;
  private static JarProcess server;
  private static JarApi api;
  private static String token;
  private static SdkTracerProvider tracing;
  private static Tracer tracer;

  @BeforeAll
  static void serve() throws Exception {
    work = Files.createTempDirectory("auditflow-jar-otlp");
    db = TestDatabase.create();
    int port = RedisServerProcess.freePort();
    base = URI.create("http://127.0.0.1:" + port);
    server = JarProcess.of(work, "serve", "--host", "127.0.0.1", "--port", Integer.toString(port),
        "--database-url", db).start();
    server.awaitHttp200(base, "/health/ready", Duration.ofMinutes(2));
    token = Files.readString(work.resolve("auditflow-data/admin.token")).trim();
    api = new JarApi(base, token);
    // A processor, or the SDK hands out no-op spans with invalid ids.
    tracing = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(InMemorySpanExporter.create()))
        .build();
    tracer = tracing.get("jar-otlp-it");
  }

  @AfterAll
  static void stop() throws Exception {
    tracing.close();
    server.close();
    TestDatabase.drop(db);
  }

  /** The SDK pipeline a service would run, pointed at the jar. */
  private static SdkLoggerProvider pipeline(Duration scheduleDelay) {
    OtlpHttpLogRecordExporter exporter = OtlpHttpLogRecordExporter.builder()
        .setEndpoint(base + "/v1/logs")
        .addHeader("Authorization", "Bearer " + token)
        .setCompression("gzip")
        .build();
    return SdkLoggerProvider.builder()
        .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "payments")))
        .addLogRecordProcessor(BatchLogRecordProcessor.builder(exporter).setScheduleDelay(scheduleDelay).build())
        .build();
  }

  private static LogRecordBuilder auditRecord(Logger logger, String correlation, String outcome) {
    LogRecordBuilder record = logger.logRecordBuilder().setEventName("payment.refund.issued")
        .setSeverity(Severity.INFO).setBody("refund issued")
        .setAttribute(CATEGORY, "payment").setAttribute(ACTION, "refund").setAttribute(CORRELATION, correlation)
        .setAttribute(AttributeKey.longKey("amount_cents"), 1250L);
    return outcome == null ? record : record.setAttribute(OUTCOME, outcome);
  }

  private static JsonNode get(String pathAndQuery) throws Exception {
    var answer = api.call("GET", pathAndQuery, null);
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    return AuditEventJson.mapper().readTree(answer.body());
  }

  @Test
  void theSdksExporterStoresEventsThatAreChainedInTheLogAndNameTheirSpanAndABadRecordIsRefusedAlone() throws Exception {
    List<SpanContext> spans = new ArrayList<>();
    try (SdkLoggerProvider logs = pipeline(Duration.ofMillis(200))) {
      Logger logger = logs.get("payments.audit");
      for (int i = 0; i < 5; i++) {
        Span span = tracer.spanBuilder("refund-" + i).startSpan();
        try (Scope ignored = span.makeCurrent()) {
          auditRecord(logger, "otlp-sdk", "success").emit();
          if (i == 2) {
            auditRecord(logger, "otlp-sdk", null).emit(); // no audit.event_outcome: refused, alone
          }
        } finally {
          span.end();
        }
        spans.add(span.getSpanContext());
      }
      assertThat(logs.forceFlush().join(30, TimeUnit.SECONDS).isSuccess()).isTrue();
    }

    JsonNode stored = get("/api/v1/audit/events?correlation_id=otlp-sdk&limit=100").get("data");
    assertThat(stored).hasSize(5);
    for (int i = 0; i < 5; i++) {
      SpanContext span = spans.get(i);
      JsonNode byTrace = get("/api/v1/audit/events?trace_id=" + span.getTraceId()).get("data");
      assertThat(byTrace).as("the event emitted in span " + i).hasSize(1);
      JsonNode event = byTrace.get(0);
      assertThat(event.get("span_id").asText()).isEqualTo(span.getSpanId());
      assertThat(event.get("event_type").asText()).isEqualTo("payment.refund.issued");
      assertThat(event.get("actor_id").asText()).isEqualTo("payments");
      assertThat(event.at("/event_data/body").asText()).isEqualTo("refund issued");
      assertThat(event.at("/event_data/attributes/amount_cents").asLong()).isEqualTo(1250);
      assertThat(event.at("/event_data/scope/name").asText()).isEqualTo("payments.audit");
    }
    JsonNode verified = AuditEventJson.mapper().readTree(api.call("POST", "/api/v1/audit/verify",
        "{\"correlation_id\":\"otlp-sdk\"}").body());
    assertThat(verified.get("verified").asBoolean()).as(verified.toString()).isTrue();
    assertThat(verified.get("events_checked").asLong()).isEqualTo(5);
    // In the verifiable log: every event gets an inclusion proof once integrated.
    String someId = stored.get(3).get("event_id").asText();
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
        api.call("GET", "/api/v1/log/proof/inclusion?event_id=" + someId, null).statusCode() == 200);
    // The refused record was not silent: the operator's log names it, the counter counts it.
    await().atMost(Duration.ofSeconds(10)).until(() -> server.output().contains("otlp_records_refused"));
    assertThat(server.output()).contains("audit.event_outcome is required");
    String metrics = api.call("GET", "/metrics", null).body();
    assertThat(metrics).containsPattern("auditflow_server_events_total\\{[^}]*result=\"rejected\"[^}]*} 1\\.0");
  }

  /**
   * The seed's trickle (one event every 200 ms) through OTLP with the SDK's default schedule delay
   * (1 s, as the auditflow client's flush interval), after one warm-up export: each event polled for until the
   * query returns it. Bounded on both sides: no event is queryable before it is emitted, the
   * slowest waits about one schedule delay (so the delay is really in the measurement), and p99
   * stays within about a second.
   */
  @Test
  void aTrickleThroughTheSdkIsQueryableWithinAboutASecond() throws Exception {
    int events = 30;
    Map<String, Long> emittedAt = new ConcurrentHashMap<>();
    Map<String, Long> queryableAt = new HashMap<>();
    try (SdkLoggerProvider logs = pipeline(Duration.ofSeconds(1))) {
      Logger logger = logs.get("payments.audit");
      // A service's first export pays one-off costs (class loading, the HTTP client's first
      // connection, on both sides): measured apart from the steady trickle, as the seed measures it.
      auditRecord(logger, "otlp-warm-up", "success").emit();
      assertThat(logs.forceFlush().join(30, TimeUnit.SECONDS).isSuccess()).isTrue();
      get("/api/v1/audit/events?correlation_id=otlp-warm-up");
      Thread emitter = new Thread(() -> {
        for (int i = 0; i < events; i++) {
          Span span = tracer.spanBuilder("trickle-" + i).startSpan();
          try (Scope ignored = span.makeCurrent()) {
            emittedAt.put(span.getSpanContext().getTraceId(), System.nanoTime());
            auditRecord(logger, "otlp-trickle", "success").emit();
          } finally {
            span.end();
          }
          try {
            Thread.sleep(200);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }, "trickle-emitter");
      emitter.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      String query = "/api/v1/audit/events?limit=100&correlation_id=" + URLEncoder.encode("otlp-trickle",
          StandardCharsets.UTF_8);
      while (queryableAt.size() < events && System.nanoTime() < deadline) {
        for (JsonNode event : get(query).get("data")) {
          queryableAt.putIfAbsent(event.get("trace_id").asText(), System.nanoTime());
        }
        Thread.sleep(10);
      }
      emitter.join();
    }
    assertThat(queryableAt).as("every emitted event became queryable").hasSize(events);
    List<Long> millis = new ArrayList<>();
    queryableAt.forEach((trace, at) -> millis.add(TimeUnit.NANOSECONDS.toMillis(at - emittedAt.get(trace))));
    millis.sort(null);
    long p50 = millis.get(events / 2);
    long p99 = millis.get((int) Math.ceil(events * 0.99) - 1);
    long max = millis.get(events - 1);
    System.out.printf("OTLP trickle: %d events, emit -> queryable p50 %d ms, p99 %d ms, max %d ms, min %d ms%n",
        events, p50, p99, max, millis.get(0));
    assertThat(millis.get(0)).isGreaterThanOrEqualTo(0);
    assertThat(max).as("some event waits most of a schedule delay").isGreaterThanOrEqualTo(600);
    assertThat(p99).as("queryable within about a second of the emit").isLessThanOrEqualTo(1_500);
  }
}
