package dev.auditflow.api;

import java.util.regex.Pattern;

/**
 * The form of OpenTelemetry trace and span ids as W3C Trace Context writes them: 32 (trace) or 16
 * (span) lowercase hex digits, not all zero (all zeros is the spec's "invalid" id). One definition
 * for the event rules, the query filter and the OTLP mapping, so that an id accepted on the way in
 * can always be searched for.
 */
public final class TraceIds {
  private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
  private static final Pattern SPAN_ID = Pattern.compile("[0-9a-f]{16}");

  public static final String TRACE_ID_FORM = "32 lowercase hex digits, not all zero (W3C Trace Context)";
  public static final String SPAN_ID_FORM = "16 lowercase hex digits, not all zero (W3C Trace Context)";

  private TraceIds() {}

  public static boolean isTraceId(String text) {
    return TRACE_ID.matcher(text).matches() && !allZero(text);
  }

  public static boolean isSpanId(String text) {
    return SPAN_ID.matcher(text).matches() && !allZero(text);
  }

  private static boolean allZero(String hex) {
    return hex.chars().allMatch(c -> c == '0');
  }
}
