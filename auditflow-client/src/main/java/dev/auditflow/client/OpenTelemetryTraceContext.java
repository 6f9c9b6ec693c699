package dev.auditflow.client;

import dev.auditflow.api.AuditEvent;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;

/**
 * The current OpenTelemetry span's trace and span ids. Loaded only by {@link TraceContext#detect}
 * once it has seen the API on the classpath.
 */
final class OpenTelemetryTraceContext implements TraceContext {
  @Override
  public AuditEvent fill(AuditEvent event) {
    if (event.traceId() != null || event.spanId() != null) {
      return event; // the producer's own: kept
    }
    SpanContext span = Span.current().getSpanContext();
    // Invalid is OpenTelemetry's "no span" (all-zero ids); W3C form otherwise, as the event wants.
    return span.isValid() ? event.withTrace(span.getTraceId(), span.getSpanId()) : event;
  }
}
