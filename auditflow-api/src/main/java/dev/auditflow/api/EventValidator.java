package dev.auditflow.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Checks an event against the rules of the event model and reports <em>every</em> violation, so
 * a caller fixes its event once instead of once per rule. The same rules run in the client (so a
 * bad event never enters the buffer) and in the server (which never trusts the client).
 *
 * <p>Lengths are counted in Unicode code points, as PostgreSQL counts them.
 */
public final class EventValidator {
  /** The largest {@code event_data} accepted, measured as compact UTF-8 JSON (Kubernaut's limit). */
  public static final int MAX_EVENT_DATA_BYTES = 256 * 1024;

  /**
   * The deepest nesting of objects and arrays in {@code event_data}, the object itself counting
   * as 1 (Kubernaut's limit; it bounds the work a hostile payload can make a reader do).
   */
  public static final int MAX_EVENT_DATA_DEPTH = 10;

  public static final int MAX_RETENTION_DAYS = 2555;

  /**
   * The most digits a number in {@code event_data} may have before its decimal point, and after
   * it, written out in full. PostgreSQL stores a JSON number exactly and always writes it back
   * without an exponent: {@code 1e9999} comes back as ten thousand digits, which no JSON reader
   * with sane limits will take (Jackson's default is 1 000). 330 digits on either side hold every
   * finite {@code double} (at most 309 before, 325 after), so any number a program computes fits,
   * and a number read back is at most 662 characters.
   */
  public static final int MAX_NUMBER_DIGITS = 330;

  /** The longest {@code producer_id}. */
  public static final int MAX_PRODUCER_ID = 200;

  private final ValidationRules rules;

  public EventValidator(ValidationRules rules) {
    this.rules = Objects.requireNonNull(rules, "rules");
  }

  /** Every rule the event breaks; empty when it is valid. */
  public List<Violation> validate(AuditEvent event) {
    List<Violation> violations = new ArrayList<>();
    checkTexts(event, violations);
    if (event.eventId() == null) {
      violations.add(new Violation("event_id", "is required"));
    }
    if (event.eventOutcome() == null) {
      violations.add(
          new Violation("event_outcome", "is required; one of " + WireNames.allowed(EventOutcome.class)));
    }
    checkTimestamp(event.eventTimestamp(), violations);
    checkEventData(event.eventData(), violations);
    if (event.durationMs() != null && event.durationMs() < 0) {
      violations.add(new Violation("duration_ms", "must be >= 0, was " + event.durationMs()));
    }
    checkProducer(event, violations);
    checkTrace(event, violations);
    Integer retention = event.retentionDays();
    if (retention != null && (retention < 1 || retention > MAX_RETENTION_DAYS)) {
      violations.add(
          new Violation("retention_days", "must be between 1 and " + MAX_RETENTION_DAYS + ", was " + retention));
    }
    return violations;
  }

  /**
   * The text fields: required or not, and their longest. One direct call per field rather than a
   * table of accessor functions: validation runs on every {@code store()}, and a loop over 17
   * different accessors is a call site the JIT cannot inline (BENCHMARKS.md §15a).
   */
  private static void checkTexts(AuditEvent event, List<Violation> violations) {
    checkText("version", event.version(), true, 20, violations);
    checkText("event_type", event.eventType(), true, 100, violations);
    checkText("event_category", event.eventCategory(), true, 50, violations);
    checkText("event_action", event.eventAction(), true, 50, violations);
    checkText("correlation_id", event.correlationId(), true, 255, violations);
    checkText("actor_type", event.actorType(), false, 50, violations);
    checkText("actor_id", event.actorId(), false, 255, violations);
    checkText("actor_ip", event.actorIp(), false, 45, violations);
    checkText("resource_type", event.resourceType(), false, 100, violations);
    checkText("resource_id", event.resourceId(), false, 255, violations);
    checkText("resource_name", event.resourceName(), false, 255, violations);
    checkText("namespace", event.namespace(), false, 253, violations);
    checkText("cluster_name", event.clusterName(), false, 255, violations);
    checkText("error_code", event.errorCode(), false, 100, violations);
    checkText("error_message", event.errorMessage(), false, 4096, violations);
    checkText("severity", event.severity(), false, 20, violations);
    checkText("producer_id", event.producerId(), false, MAX_PRODUCER_ID, violations);
  }

  /** The producer fields come all three or not at all, and a sequence starts at 1. */
  private static void checkProducer(AuditEvent event, List<Violation> violations) {
    if (!event.hasProducer()) {
      return;
    }
    String together = "producer_id, producer_epoch and producer_seq come together: set all three or none";
    if (event.producerId() == null) {
      violations.add(new Violation("producer_id", together));
    }
    if (event.producerEpoch() == null) {
      violations.add(new Violation("producer_epoch", together));
    }
    if (event.producerSeq() == null) {
      violations.add(new Violation("producer_seq", together));
    } else if (event.producerSeq() < 1) {
      violations.add(new Violation("producer_seq", "must be >= 1, was " + event.producerSeq()));
    }
  }

  /** Trace ids in W3C form; a span belongs to a trace, so a span id needs its trace id. */
  private static void checkTrace(AuditEvent event, List<Violation> violations) {
    if (event.traceId() != null && !TraceIds.isTraceId(event.traceId())) {
      violations.add(new Violation("trace_id", "must be " + TraceIds.TRACE_ID_FORM + ", was " + shown(event.traceId())));
    }
    if (event.spanId() != null) {
      if (!TraceIds.isSpanId(event.spanId())) {
        violations.add(new Violation("span_id", "must be " + TraceIds.SPAN_ID_FORM + ", was " + shown(event.spanId())));
      } else if (event.traceId() == null) {
        violations.add(new Violation("span_id", "a span belongs to a trace: give trace_id too"));
      }
    }
  }

  /** A bad id as the message shows it: quoted when short, only its length when not. */
  private static String shown(String value) {
    return value.length() <= 64 ? "\"" + value + "\"" : value.length() + " characters";
  }

  /**
   * Reads an event from JSON and validates it. Type errors (a number where a string belongs, an
   * unparseable timestamp) are reported as violations of their field alongside the rule
   * violations, never as an exception.
   */
  public ParsedEvent validate(JsonNode json) {
    ParsedEvent parsed = AuditEventJson.read(json);
    if (parsed.event() == null) {
      return parsed;
    }
    List<Violation> all = new ArrayList<>(parsed.violations());
    if (rules.versionRequired() && !json.hasNonNull("version")) {
      all.add(new Violation("version", "is required"));
    }
    json.fieldNames().forEachRemaining(name -> {
      if (!AuditEventJson.INPUT_FIELDS.contains(name) && !AuditEventJson.SERVER_FIELDS.contains(name)) {
        all.add(new Violation(name, "is not a field of an event" + closest(name).map(f -> "; did you mean " + f + "?")
            .orElse("") + " (unknown fields are refused, not dropped: a misspelt one would lose its value)"));
      }
    });
    for (Violation v : validate(parsed.event())) {
      // A field that could not be read is already reported; "is required" on top would mislead.
      if (all.stream().noneMatch(known -> known.field().equals(v.field()))) {
        all.add(v);
      }
    }
    return new ParsedEvent(parsed.event(), List.copyOf(all));
  }

  /** The input field a misspelt name most likely meant: at most two edits away. */
  private static java.util.Optional<String> closest(String name) {
    String best = null;
    int bestDistance = 3;
    for (String field : AuditEventJson.INPUT_FIELDS) {
      int d = editDistance(name.toLowerCase(java.util.Locale.ROOT), field);
      if (d < bestDistance) {
        best = field;
        bestDistance = d;
      }
    }
    return java.util.Optional.ofNullable(best);
  }

  /** Levenshtein distance (names are short). */
  private static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  private static void checkText(String field, String value, boolean required, int max, List<Violation> violations) {
    if (value == null) {
      if (required) {
        violations.add(new Violation(field, "is required"));
      }
      return;
    }
    String textProblem = textProblem(value);
    if (textProblem != null) {
      violations.add(new Violation(field, textProblem));
    } else if (required && value.isBlank()) {
      violations.add(new Violation(field, "must not be blank"));
    } else if (value.isEmpty()) {
      violations.add(new Violation(field, "must not be empty when present"));
    } else if (value.length() > max) {
      // A string never has more code points than UTF-16 units, so only a long one needs counting.
      int length = value.codePointCount(0, value.length());
      if (length > max) {
        violations.add(new Violation(field, "must be at most " + max + " characters, was " + length));
      }
    }
  }

  private void checkTimestamp(Instant timestamp, List<Violation> violations) {
    if (timestamp == null) {
      violations.add(new Violation("event_timestamp", "is required (RFC 3339, any offset)"));
      return;
    }
    Instant now = rules.clock().instant();
    if (exceeds(timestamp, now, rules.maxFutureSkew())) {
      violations.add(
          new Violation(
              "event_timestamp",
              "is " + Timestamps.format(timestamp) + ", more than " + rules.maxFutureSkew()
                  + " in the future of the validating clock (" + Timestamps.format(now)
                  + "); check the emitting host's clock or raise the skew window"));
    } else if (exceeds(now, timestamp, rules.maxAge())) {
      Instant earliest = now.minus(rules.maxAge());
      violations.add(
          new Violation(
              "event_timestamp",
              "is " + Timestamps.format(timestamp) + ", older than the maximum age "
                  + rules.maxAge() + " (earliest accepted " + Timestamps.format(earliest) + ")"));
    }
  }

  /**
   * Whether {@code later - earlier > limit}, exactly, without the two instants {@code plus} and
   * {@code minus} would allocate on every valid event.
   */
  static boolean exceeds(Instant later, Instant earlier, Duration limit) {
    // Each difference fits a long: epoch seconds of an Instant lie within ±3.2e16.
    long seconds = later.getEpochSecond() - earlier.getEpochSecond() - limit.getSeconds();
    long nanos = (long) later.getNano() - earlier.getNano() - limit.getNano(); // in (-2e9, 1e9)
    if (seconds > 1) {
      return true;
    }
    if (seconds < -1) {
      return false;
    }
    return seconds * 1_000_000_000L + nanos > 0;
  }

  /**
   * What makes a string unstorable, or null: U+0000, which PostgreSQL's text and jsonb cannot hold,
   * or a lone UTF-16 surrogate, which is no Unicode character — encoded to UTF-8 it would turn
   * into "?" and the stored text would differ from what was hashed and acknowledged.
   */
  static String textProblem(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\u0000') {
        return "must not contain the NUL character (U+0000)";
      }
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
          i++;
        } else {
          return "must be valid Unicode: it holds a lone surrogate (\\u" + Integer.toHexString(c) + ") at position " + i;
        }
      }
    }
    return null;
  }

  /**
   * One walk over {@code event_data}: the first key, string or number that cannot be stored and
   * read back as it is, the deepest nesting, and an upper bound on its serialised size (every
   * character counted as a six-byte escape). Exact serialisation is needed only when the bound
   * exceeds the limit, which keeps validation cheap on the hot path; so does keeping the walk's
   * state in one object rather than a result per node.
   */
  private static final class DataScan {
    private String problem;
    private long sizeBound;

    /** Walks {@code node}, returning its depth (an object or array 1 more than its deepest child). */
    int walk(JsonNode node) {
      if (node.isTextual()) {
        String text = node.textValue();
        noteText("holds a string that ", text);
        sizeBound += 2 + 6L * text.length();
        return 0;
      }
      if (node.isObject() || node.isArray()) {
        sizeBound += 2 + Math.max(0, node.size() - 1);
        int depth = 0;
        if (node.isObject()) {
          for (var fields = node.fields(); fields.hasNext(); ) {
            var field = fields.next();
            noteText("holds a key that ", field.getKey());
            sizeBound += 3 + 6L * field.getKey().length();
            depth = Math.max(depth, walk(field.getValue()));
          }
        } else {
          for (JsonNode element : node) {
            depth = Math.max(depth, walk(element));
          }
        }
        return depth + 1;
      }
      if (node.isNumber()) {
        note(numberProblem(node));
        sizeBound += 25 + (node.isBigDecimal() ? node.decimalValue().precision() : 0)
            + (node.isBigInteger() ? node.bigIntegerValue().bitLength() / 3L : 0);
        return 0;
      }
      sizeBound += 25; // booleans, null
      return 0;
    }

    private void noteText(String what, String text) {
      String textProblem = textProblem(text);
      if (textProblem != null) {
        note(what + textProblem);
      }
    }

    /** The first problem found is the one reported. */
    private void note(String found) {
      if (problem == null) {
        problem = found;
      }
    }
  }

  /** Why a number cannot be stored and read back as it is, or null. See {@link #MAX_NUMBER_DIGITS}. */
  private static String numberProblem(JsonNode number) {
    if (number.isDouble() || number.isFloat()) {
      double d = number.doubleValue();
      return Double.isFinite(d) ? null : "holds a number that is not finite (" + d + "); JSON has no NaN or infinity";
    }
    long before;
    long after;
    if (number.isBigDecimal()) {
      java.math.BigDecimal d = number.decimalValue();
      // Zero is written "0" whatever its exponent; only its digits after the point are kept.
      before = d.signum() == 0 ? 1 : (long) d.precision() - d.scale();
      after = Math.max(0, d.scale());
    } else if (number.isBigInteger()) {
      java.math.BigInteger i = number.bigIntegerValue();
      // Only a very long integer needs its digits counted; a bit length bounds them from above.
      before = i.bitLength() < 1_000 ? 0 : i.abs().toString().length();
      after = 0;
    } else {
      return null; // int and long: at most 19 digits
    }
    if (before > MAX_NUMBER_DIGITS || after > MAX_NUMBER_DIGITS) {
      return "holds a number with " + (before > MAX_NUMBER_DIGITS ? before + " digits before" : after + " digits after")
          + " the decimal point written out in full; at most " + MAX_NUMBER_DIGITS + " are allowed on either side";
    }
    return null;
  }

  private static void checkEventData(JsonNode data, List<Violation> violations) {
    if (data == null || data.isNull() || data.isMissingNode()) {
      violations.add(new Violation("event_data", "is required (a JSON object, {} if empty)"));
    } else if (!data.isObject()) {
      violations.add(
          new Violation("event_data", "must be a JSON object, was " + data.getNodeType().name().toLowerCase(java.util.Locale.ROOT)));
    } else {
      DataScan scan = new DataScan();
      int depth = scan.walk(data);
      if (scan.problem != null) {
        // Refused here, a 400 naming the field — not a failed write, nor a row every reader then chokes on.
        violations.add(new Violation("event_data", scan.problem));
      } else if (depth > MAX_EVENT_DATA_DEPTH) {
        violations.add(new Violation("event_data", "must nest objects and arrays at most " + MAX_EVENT_DATA_DEPTH
            + " deep (the object itself counting as 1), was " + depth));
      } else if (scan.sizeBound > MAX_EVENT_DATA_BYTES) {
        long size = AuditEventJson.serializedSize(data);
        if (size > MAX_EVENT_DATA_BYTES) {
          violations.add(new Violation(
              "event_data", "must be at most " + MAX_EVENT_DATA_BYTES + " bytes serialised, was " + size));
        }
      }
    }
  }
}
