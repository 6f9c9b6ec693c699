package dev.auditflow.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditflow.api.AuditEvent;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * With {@code opentelemetry-api} on the classpath (test scope here; optional for applications), an
 * event stored inside a span names that span — with the real SDK's tracer, not a stand-in.
 */
class TraceContextTest {
  // With a processor: the SDK hands out no-op spans (invalid ids) when nothing would record them.
  private static final SdkTracerProvider tracing = SdkTracerProvider.builder()
      .addSpanProcessor(SimpleSpanProcessor.create(InMemorySpanExporter.create())).build();
  private static final Tracer tracer = tracing.get("auditflow-client-test");

  @AfterAll
  static void close() {
    tracing.close();
  }

  @Test
  void anEventStoredInASpanNamesItsTraceAndSpanAndOneOutsideNamesNone() throws Exception {
    InMemoryTransport sent = new InMemoryTransport();
    Span span = tracer.spanBuilder("refund").startSpan();
    try (AuditStore audit = AuditStore.builder().transport(sent).build()) {
      try (Scope ignored = span.makeCurrent()) {
        audit.store(Events.event("in-span"));
      } finally {
        span.end();
      }
      audit.store(Events.event("outside"));
      audit.flush(Duration.ofSeconds(10));
    }
    AuditEvent inSpan = sent.events().get(0);
    assertThat(inSpan.traceId()).isEqualTo(span.getSpanContext().getTraceId()).hasSize(32);
    assertThat(inSpan.spanId()).isEqualTo(span.getSpanContext().getSpanId()).hasSize(16);
    AuditEvent outside = sent.events().get(1);
    assertThat(outside.traceId()).isNull();
    assertThat(outside.spanId()).isNull();
  }

  @Test
  void anEventThatNamesItsOwnTraceKeepsIt() throws Exception {
    InMemoryTransport sent = new InMemoryTransport();
    Span span = tracer.spanBuilder("other").startSpan();
    String own = "4bf92f3577b34da6a3ce929d0e0e4736";
    try (AuditStore audit = AuditStore.builder().transport(sent).build(); Scope ignored = span.makeCurrent()) {
      audit.store(Events.event("own").withTrace(own, null));
      audit.flush(Duration.ofSeconds(10));
    } finally {
      span.end();
    }
    assertThat(sent.events().get(0).traceId()).isEqualTo(own);
    assertThat(sent.events().get(0).spanId()).isNull();
  }

  @Test
  void theOpenTelemetryContextIsTheOneFoundWhenItsApiIsPresent() {
    assertThat(TraceContext.detect()).isInstanceOf(OpenTelemetryTraceContext.class);
  }
}
