package dev.auditflow.client;

import dev.auditflow.api.AuditEvent;

/**
 * Where an event's {@code trace_id} and {@code span_id} come from when it names none: the current
 * OpenTelemetry span when {@code opentelemetry-api} is on the classpath (an optional dependency of
 * the client), nowhere otherwise. Read on the caller's thread, in {@link AuditStore#store}: the
 * current span is the caller's.
 */
interface TraceContext {
  /** No trace context: the event as it is. */
  TraceContext NONE = event -> event;

  /** {@code event}, placed in the current trace if it names none and there is one. */
  AuditEvent fill(AuditEvent event);

  /**
   * OpenTelemetry's when its API is on the classpath, else {@link #NONE}. The check is by name so
   * that no OpenTelemetry class is loaded — and none needed — without it.
   */
  static TraceContext detect() {
    try {
      Class.forName("io.opentelemetry.api.trace.Span", false, TraceContext.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return NONE;
    }
    return new OpenTelemetryTraceContext();
  }
}
