package dev.auditflow.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EventValidatorTest {
  private final EventValidator validator =
      new EventValidator(
          new ValidationRules(
              Duration.ofMinutes(10), Duration.ofDays(7), Clock.fixed(TestEvents.NOW, ZoneOffset.UTC)));

  private List<String> fields(AuditEvent event) {
    return validator.validate(event).stream().map(Violation::field).toList();
  }

  @Test
  void validEventHasNoViolations() {
    assertThat(validator.validate(TestEvents.valid().build())).isEmpty();
  }

  @Test
  void reportsEveryMissingRequiredFieldAtOnce() {
    AuditEvent empty = AuditEvent.builder().build();
    assertThat(fields(empty))
        .containsExactlyInAnyOrder(
            "event_type", "event_category", "event_action", "correlation_id", "event_outcome",
            "event_timestamp", "event_data");
  }

  /** field, max length, setter. */
  static Stream<Arguments> textLimits() {
    return Stream.of(
        Arguments.of("version", 20, (BiFunction<AuditEvent.Builder, String, AuditEvent.Builder>) AuditEvent.Builder::version),
        Arguments.of("event_type", 100, (BiFunction<AuditEvent.Builder, String, AuditEvent.Builder>) AuditEvent.Builder::eventType),
        Arguments.of("event_category", 50, (BiFunction<AuditEvent.Builder, String, AuditEvent.Builder>) AuditEvent.Builder::eventCategory),
        Arguments.of("event_action", 50, (BiFunction<AuditEvent.Builder, String, AuditEvent.Builder>) AuditEvent.Builder::eventAction),
        Arguments.of("correlation_id", 255, (BiFunction<AuditEvent.Builder, String, AuditEvent.Builder>) AuditEvent.Builder::correlationId),
        Arguments.of("actor_type", 50, (BiFunction<AuditEvent.Builder, String, AuditEvent.Builder>) AuditEvent.Builder::actorType),
        Arguments.of("actor_id", 255, (BiFunction<AuditEvent.Builder, String, AuditEvent.Builder>) AuditEvent.Builder::actorId),
        Arguments.of("resource_type", 100, (BiFunction<AuditEvent.Builder, String, AuditEvent.Builder>) AuditEvent.Builder::resourceType),
        Arguments.of("resource_id", 255, (BiFunction<AuditEvent.Builder, String, AuditEvent.Builder>) AuditEvent.Builder::resourceId),
        Arguments.of("resource_name", 255, (BiFunction<AuditEvent.Builder, String, AuditEvent.Builder>) AuditEvent.Builder::resourceName),
        Arguments.of("namespace", 253, (BiFunction<AuditEvent.Builder, String, AuditEvent.Builder>) AuditEvent.Builder::namespace),
        Arguments.of("cluster_name", 255, (BiFunction<AuditEvent.Builder, String, AuditEvent.Builder>) AuditEvent.Builder::clusterName),
        Arguments.of("error_code", 100, (BiFunction<AuditEvent.Builder, String, AuditEvent.Builder>) AuditEvent.Builder::errorCode),
        Arguments.of("error_message", 4096, (BiFunction<AuditEvent.Builder, String, AuditEvent.Builder>) AuditEvent.Builder::errorMessage),
        Arguments.of("actor_ip", 45, (BiFunction<AuditEvent.Builder, String, AuditEvent.Builder>) AuditEvent.Builder::actorIp),
        Arguments.of("severity", 20, (BiFunction<AuditEvent.Builder, String, AuditEvent.Builder>) AuditEvent.Builder::severity));
  }

  private static final java.util.Set<String> REQUIRED =
      java.util.Set.of("version", "event_type", "event_category", "event_action", "correlation_id");

  @ParameterizedTest(name = "{0} accepts 1..{1} characters")
  @MethodSource("textLimits")
  void textFieldBoundaries(String field, int max, BiFunction<AuditEvent.Builder, String, AuditEvent.Builder> set) {
    assertThat(fields(set.apply(base(), "a").build())).isEmpty();
    assertThat(fields(set.apply(base(), "a".repeat(max)).build())).isEmpty();
    assertThat(fields(set.apply(base(), "a".repeat(max + 1)).build())).containsExactly(field);
    if (REQUIRED.contains(field)) {
      assertThat(fields(set.apply(base(), "").build())).containsExactly(field);
    } else {
      // Empty means "none" for an optional field (Kubernaut sends namespace: "").
      assertThat(fields(set.apply(base(), "").build())).isEmpty();
    }
  }

  @Test
  void anEmptyOptionalFieldIsNoneAndReplacesNoDefault() {
    AuditEvent e = TestEvents.valid().namespace("").actorId("").actorType("").resourceType("").resourceId("")
        .errorCode("").errorMessage("").clusterName("").actorIp("").severity("").build();
    assertThat(fields(e)).isEmpty();
    assertThat(List.of(java.util.Optional.ofNullable(e.namespace()), java.util.Optional.ofNullable(e.actorId()),
        java.util.Optional.ofNullable(e.actorType()), java.util.Optional.ofNullable(e.resourceType()),
        java.util.Optional.ofNullable(e.resourceId()), java.util.Optional.ofNullable(e.errorCode()),
        java.util.Optional.ofNullable(e.errorMessage()), java.util.Optional.ofNullable(e.clusterName()),
        java.util.Optional.ofNullable(e.actorIp()), java.util.Optional.ofNullable(e.severity())))
        .allMatch(java.util.Optional::isEmpty);
    // A copy keeps them none: defaults are not applied again.
    AuditEvent copy = e.toBuilder().build();
    assertThat(copy).isEqualTo(e);
  }

  @Test
  void eventDataNestsAtMostTenDeep() {
    assertThat(fields(TestEvents.valid().eventData(nested(10)).build())).isEmpty();
    assertThat(validator.validate(TestEvents.valid().eventData(nested(11)).build()))
        .singleElement()
        .satisfies(v -> {
          assertThat(v.field()).isEqualTo("event_data");
          assertThat(v.message()).contains("at most 10 deep").contains("was 11");
        });
  }

  /** An object nesting {@code depth} containers, itself counting as one (arrays and objects alternate). */
  private static ObjectNode nested(int depth) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    com.fasterxml.jackson.databind.JsonNode current = root;
    for (int level = 2; level <= depth; level++) {
      if (level % 2 == 0) {
        current = ((ObjectNode) current).putArray("a");
      } else {
        current = ((com.fasterxml.jackson.databind.node.ArrayNode) current).addObject();
      }
    }
    return root;
  }

  /** Resource fields set explicitly, so they do not inherit a bad category or correlation id. */
  private static AuditEvent.Builder base() {
    return TestEvents.valid().resourceType("signal").resourceId("sig-1").actorId("gw");
  }

  @Test
  void defaultsDerivedFromABadValueAreReportedToo() {
    // The stored resource_id would be the over-long correlation id: say so rather than hide it.
    assertThat(fields(TestEvents.valid().correlationId("c".repeat(256)).build()))
        .containsExactlyInAnyOrder("correlation_id", "resource_id");
  }

  @Test
  void lengthsCountCodePointsNotUtf16Units() {
    String hundredEmoji = "\uD83D\uDE00".repeat(100); // 100 code points, 200 chars
    assertThat(fields(TestEvents.valid().eventType(hundredEmoji).build())).isEmpty();
  }

  @Test
  void nulCharactersAreRefusedBecausePostgresCannotStoreThem() {
    assertThat(fields(TestEvents.valid().eventType("a\u0000b").build())).containsExactly("event_type");
    ObjectNode data = JsonNodeFactory.instance.objectNode();
    data.putArray("list").add("ok").addObject().put("deep", "x\u0000");
    assertThat(fields(TestEvents.valid().eventData(data).build())).containsExactly("event_data");
  }

  @Test
  void loneSurrogatesAreRefusedBecauseTheyAreNoCharacters() {
    assertThat(fields(TestEvents.valid().actorId("a\uD800b").build())).containsExactly("actor_id");
    assertThat(fields(TestEvents.valid().actorId("end\uDC00").build())).containsExactly("actor_id");
    ObjectNode value = JsonNodeFactory.instance.objectNode();
    value.putArray("list").add("\uDBFF");
    assertThat(fields(TestEvents.valid().eventData(value).build())).containsExactly("event_data");
    ObjectNode key = JsonNodeFactory.instance.objectNode();
    key.put("k\uDFFF", 1);
    List<Violation> keyed = validator.validate(TestEvents.valid().eventData(key).build());
    assertThat(keyed).singleElement().satisfies(v -> assertThat(v.message()).contains("key").contains("lone surrogate"));
    // A pair is one character, and fine anywhere.
    ObjectNode pair = JsonNodeFactory.instance.objectNode();
    pair.put("\uD83D\uDE00", "\uD83D\uDE00");
    assertThat(fields(TestEvents.valid().actorId("\uD83D\uDE00").eventData(pair).build())).isEmpty();
  }

  /** The text check at the edges of the surrogate range, and problems after characters near it. */
  @Test
  void theTextCheckIsExactAtTheEdgesOfTheSurrogateRange() {
    for (String fine : List.of("\u0001", "\uD7FF", "\uE000", "\uFFFF", "\u00FF", "a\uE000b\uD83D\uDE00c", "")) {
      assertThat(EventValidator.textProblem(fine)).as("U+%04X…", fine.isEmpty() ? 0 : (int) fine.charAt(0)).isNull();
    }
    assertThat(EventValidator.textProblem("\u0000")).contains("NUL");
    assertThat(EventValidator.textProblem("\uD800")).contains("lone surrogate (\\ud800) at position 0");
    assertThat(EventValidator.textProblem("x\uDFFF")).contains("lone surrogate (\\udfff) at position 1");
    assertThat(EventValidator.textProblem("\uE000ok\u0000")).contains("NUL");
    assertThat(EventValidator.textProblem("\uD83D\uDE00 then \uDC00")).contains("at position 8");
    assertThat(EventValidator.textProblem("\uFFFF\uD83D")).contains("at position 1");
  }

  /**
   * Hardening finding 2: {@code 1e9999} was stored as ten thousand digits that every later read
   * failed on. Numbers are bounded by their digits written out in full, as PostgreSQL writes them.
   */
  @Test
  void numbersAreBoundedByTheirDigitsWrittenOutInFull() throws Exception {
    for (String refused : List.of("1e9999", "1e330", "-1e331", "1e-331", "0." + "0".repeat(330) + "1",
        "1" + "0".repeat(330), "1." + "0".repeat(331))) {
      JsonNode json = AuditEventJson.mapper().readTree("{\"n\": " + refused + "}");
      List<Violation> v = validator.validate(TestEvents.valid().eventData(json).build());
      assertThat(v).as(refused).singleElement().satisfies(x -> {
        assertThat(x.field()).isEqualTo("event_data");
        assertThat(x.message()).contains("at most " + EventValidator.MAX_NUMBER_DIGITS);
      });
    }
    for (String accepted : List.of("1e329", "-1e329", "1e-330", "1.7976931348623157E308", "4.9E-324", "12345678901234567890123",
        "1" + "0".repeat(329), "0.50", "-0", "0e999")) {
      JsonNode json = AuditEventJson.mapper().readTree("{\"n\": [" + accepted + "]}");
      assertThat(fields(TestEvents.valid().eventData(json).build())).as(accepted).isEmpty();
    }
    ObjectNode notFinite = JsonNodeFactory.instance.objectNode();
    notFinite.put("nan", Double.NaN);
    assertThat(fields(TestEvents.valid().eventData(notFinite).build())).containsExactly("event_data");
    assertThat(fields(TestEvents.valid().eventData(Map.of("big", Double.MAX_VALUE, "small", Double.MIN_VALUE)).build()))
        .isEmpty();
  }

  /**
   * The first hour: {@code "severty":"critical","actor":"alice"} was stored as severity info with
   * the misspelt fields dropped. Unknown fields are refused, naming the likely intended one; the
   * fields the server adds are ignored, so an event read back can be sent again.
   */
  @Test
  void unknownFieldsAreRefusedAndTheServersOwnAreIgnored() throws Exception {
    ObjectNode json = (ObjectNode) AuditEventJson.toTree(TestEvents.valid().build());
    json.put("severty", "critical").put("actor", "alice").put("totally_new", 1);
    List<Violation> v = validator.validate(json).violations();
    assertThat(v).extracting(Violation::field).containsExactlyInAnyOrder("severty", "actor", "totally_new");
    assertThat(v).filteredOn(x -> x.field().equals("severty")).singleElement()
        .satisfies(x -> assertThat(x.message()).contains("did you mean severity?"));
    assertThat(v).filteredOn(x -> x.field().equals("totally_new")).singleElement()
        .satisfies(x -> assertThat(x.message()).doesNotContain("did you mean"));
    ObjectNode readBack = (ObjectNode) AuditEventJson.toTree(TestEvents.valid().build());
    readBack.put("event_date", "2026-01-01").put("received_at", "2026-01-01T00:00:00Z").put("chain_position", 3)
        .put("event_hash", "ab").put("previous_event_hash", "cd").put("hash_algorithm", "sha256")
        .put("ingested_by", "token:x").put("log_index", 7).put("cluster_id", "eu-1");
    assertThat(validator.validate(readBack).violations()).isEmpty();
  }

  @Test
  void requiredTextMustNotBeBlank() {
    assertThat(fields(TestEvents.valid().eventType("   ").build())).containsExactly("event_type");
  }

  @Test
  void eventDataMustBeAnObject() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    for (JsonNode notObject : List.<JsonNode>of(f.arrayNode().add(1), f.textNode("x"), f.numberNode(3), f.booleanNode(true))) {
      List<Violation> v = validator.validate(TestEvents.valid().eventData(notObject).build());
      assertThat(v).singleElement().satisfies(x -> {
        assertThat(x.field()).isEqualTo("event_data");
        assertThat(x.message()).contains("must be a JSON object");
      });
    }
    assertThat(fields(TestEvents.valid().eventData(f.objectNode()).build())).isEmpty();
  }

  @Test
  void eventDataSizeLimitIsExact() {
    // {"k":"…"} is 8 bytes of framing around the value.
    int framing = "{\"k\":\"\"}".length();
    ObjectNode atLimit = JsonNodeFactory.instance.objectNode().put("k", "x".repeat(EventValidator.MAX_EVENT_DATA_BYTES - framing));
    ObjectNode overLimit = JsonNodeFactory.instance.objectNode().put("k", "x".repeat(EventValidator.MAX_EVENT_DATA_BYTES - framing + 1));
    assertThat(AuditEventJson.serializedSize(atLimit)).isEqualTo(EventValidator.MAX_EVENT_DATA_BYTES);
    assertThat(fields(TestEvents.valid().eventData(atLimit).build())).isEmpty();
    assertThat(validator.validate(TestEvents.valid().eventData(overLimit).build()))
        .singleElement()
        .satisfies(v -> assertThat(v.message()).contains("262145"));
  }

  @Test
  void sizeLimitHoldsForDataThatExpandsWhenEscaped() {
    // Control characters serialise as six-byte escapes: the cheap bound and the exact size meet here.
    int framing = "{\"k\":\"\"}".length();
    int chars = (EventValidator.MAX_EVENT_DATA_BYTES - framing) / 6;
    ObjectNode escaped = JsonNodeFactory.instance.objectNode().put("k", "\u0001".repeat(chars));
    assertThat(AuditEventJson.serializedSize(escaped)).isLessThanOrEqualTo(EventValidator.MAX_EVENT_DATA_BYTES);
    assertThat(fields(TestEvents.valid().eventData(escaped).build())).isEmpty();
    ObjectNode over = JsonNodeFactory.instance.objectNode().put("k", "\u0001".repeat(chars + 1));
    assertThat(AuditEventJson.serializedSize(over)).isGreaterThan(EventValidator.MAX_EVENT_DATA_BYTES);
    assertThat(fields(TestEvents.valid().eventData(over).build())).containsExactly("event_data");
  }

  @Test
  void timestampWindowIsSkewAheadAndMaxAgeBehind() {
    assertThat(fields(TestEvents.valid().eventTimestamp(TestEvents.NOW.plus(Duration.ofMinutes(10))).build())).isEmpty();
    assertThat(validator.validate(TestEvents.valid().eventTimestamp(TestEvents.NOW.plus(Duration.ofMinutes(10)).plusNanos(1000)).build()))
        .singleElement()
        .satisfies(v -> {
          assertThat(v.field()).isEqualTo("event_timestamp");
          assertThat(v.message()).contains("in the future");
        });
    assertThat(fields(TestEvents.valid().eventTimestamp(TestEvents.NOW.minus(Duration.ofDays(7))).build())).isEmpty();
    assertThat(validator.validate(TestEvents.valid().eventTimestamp(TestEvents.NOW.minus(Duration.ofDays(7)).minusSeconds(1)).build()))
        .singleElement()
        .satisfies(v -> assertThat(v.message()).contains("older than"));
  }

  @Test
  void theWindowIsComparedToTheNanosecondWithoutAllocatingInstants() {
    Instant base = Instant.parse("2026-12-07T00:00:00.999999999Z");
    Duration limit = Duration.ofSeconds(10, 5);
    assertThat(EventValidator.exceeds(base.plus(limit), base, limit)).isFalse();
    assertThat(EventValidator.exceeds(base.plus(limit).plusNanos(1), base, limit)).isTrue();
    assertThat(EventValidator.exceeds(base.plus(limit).minusNanos(1), base, limit)).isFalse();
    assertThat(EventValidator.exceeds(Instant.MAX, Instant.MIN, Duration.ofDays(7))).isTrue();
    assertThat(EventValidator.exceeds(Instant.MIN, Instant.MAX, Duration.ZERO)).isFalse();
    // The arithmetic against what it replaces, on pairs around every borrow between seconds and nanos.
    java.util.Random random = new java.util.Random(7);
    for (int i = 0; i < 100_000; i++) {
      Instant earlier = base.plusNanos(random.nextInt(2_000_000_000));
      Duration window = Duration.ofSeconds(random.nextInt(3), random.nextInt(1_000_000_000));
      Instant later = earlier.plus(window).plusNanos(random.nextInt(2_000_000_001) - 1_000_000_000L);
      assertThat(EventValidator.exceeds(later, earlier, window)).as("%s - %s > %s", later, earlier, window)
          .isEqualTo(later.isAfter(earlier.plus(window)));
    }
  }

  @Test
  void localTimeWithOffsetIsNotInTheFuture() {
    // Lesson 4 of the incident (docs/ARCHITECTURE.md): 13:00+01:00 is 12:00Z, "now", not an hour ahead.
    JsonNode json = AuditEventJson.toTree(TestEvents.valid().build());
    ((ObjectNode) json).put("event_timestamp", "2026-11-26T13:00:00+01:00");
    ParsedEvent parsed = validator.validate(json);
    assertThat(parsed.violations()).isEmpty();
    assertThat(parsed.event().eventTimestamp()).isEqualTo(TestEvents.NOW);
  }

  @Test
  void numericRanges() {
    assertThat(fields(TestEvents.valid().durationMs(0L).build())).isEmpty();
    assertThat(fields(TestEvents.valid().durationMs(-1L).build())).containsExactly("duration_ms");
    assertThat(fields(TestEvents.valid().retentionDays(null).build())).as("the server's policy decides").isEmpty();
    assertThat(fields(TestEvents.valid().retentionDays(1).build())).isEmpty();
    assertThat(fields(TestEvents.valid().retentionDays(2555).build())).isEmpty();
    assertThat(fields(TestEvents.valid().retentionDays(0).build())).containsExactly("retention_days");
    assertThat(fields(TestEvents.valid().retentionDays(2556).build())).containsExactly("retention_days");
  }

  @Test
  void enumValuesAreExactLowerCase() {
    for (String outcome : List.of("success", "failure", "pending")) {
      assertThat(EventOutcome.fromWireName(outcome)).isPresent();
    }
    for (String severity : List.of("debug", "info", "warning", "error", "critical")) {
      assertThat(Severity.fromWireName(severity)).isPresent();
    }
    ObjectNode json = (ObjectNode) AuditEventJson.toTree(TestEvents.valid().build());
    json.put("event_outcome", "SUCCESS").put("severity", "fatal");
    // Severity is free text (Kubernaut's authwebhook sends "high"); the outcome is an exact enum.
    assertThat(validator.validate(json).violations())
        .extracting(Violation::field)
        .containsExactly("event_outcome");
  }

  @Test
  void wronglyTypedFieldsAreViolationsNotExceptions() {
    ObjectNode json = (ObjectNode) AuditEventJson.toTree(TestEvents.valid().build());
    json.put("event_type", 42)
        .put("event_id", "not-a-uuid")
        .put("event_timestamp", "yesterday")
        .put("duration_ms", "fast")
        .put("is_sensitive", "yes")
        .put("retention_days", 1.5);
    ParsedEvent parsed = validator.validate(json);
    assertThat(parsed.violations())
        .extracting(Violation::field)
        .containsExactlyInAnyOrder("event_type", "event_id", "event_timestamp", "duration_ms", "is_sensitive", "retention_days");
  }

  @Test
  void nonObjectEventJsonIsOneViolation() {
    ParsedEvent parsed = validator.validate(JsonNodeFactory.instance.arrayNode());
    assertThat(parsed.event()).isNull();
    assertThat(parsed.isValid()).isFalse();
    assertThat(parsed.violations()).singleElement().extracting(Violation::field).isEqualTo("$");
  }

  @Test
  void rulesRejectNonsenseConfiguration() {
    Clock clock = Clock.systemUTC();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ValidationRules(Duration.ofSeconds(-1), Duration.ofDays(1), clock))
        .hasMessageContaining("maxFutureSkew");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ValidationRules(Duration.ZERO, Duration.ZERO, clock))
        .hasMessageContaining("maxAge");
  }

  @Test
  void versionIsRequiredOnlyWhenTheRulesSaySo() {
    ObjectNode json = (ObjectNode) AuditEventJson.toTree(TestEvents.valid().build());
    json.remove("version");
    assertThat(validator.validate(json).isValid()).as("optional by default: absent is 1.0").isTrue();
    EventValidator strict = new EventValidator(new ValidationRules(Duration.ofMinutes(10), Duration.ofDays(7),
        Clock.fixed(TestEvents.NOW, ZoneOffset.UTC), true));
    assertThat(strict.validate(json).violations()).containsExactly(new Violation("version", "is required"));
    json.put("version", "1.0");
    assertThat(strict.validate(json).isValid()).isTrue();
  }

  @Test
  void traceContextInW3cFormIsValidAndEveryOtherFormIsRefusedNamingItsField() {
    String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    String span = "00f067aa0ba902b7";
    assertThat(validator.validate(TestEvents.valid().trace(trace, span).build())).isEmpty();
    assertThat(validator.validate(TestEvents.valid().trace(trace, null).build())).isEmpty();
    assertThat(fields(TestEvents.valid().trace(trace.toUpperCase(), span).build())).containsExactly("trace_id");
    assertThat(fields(TestEvents.valid().trace("0".repeat(32), span).build())).containsExactly("trace_id");
    assertThat(fields(TestEvents.valid().trace(trace + "00", span).build())).containsExactly("trace_id");
    assertThat(fields(TestEvents.valid().trace(trace, "0".repeat(16)).build())).containsExactly("span_id");
    assertThat(fields(TestEvents.valid().trace(trace, "xyz").build())).containsExactly("span_id");
    assertThat(validator.validate(TestEvents.valid().trace(null, span).build()))
        .extracting(Violation::message).containsExactly("a span belongs to a trace: give trace_id too");
    assertThat(validator.validate(TestEvents.valid().trace("a".repeat(5000), null).build()))
        .extracting(Violation::message).singleElement().asString().endsWith("was 5000 characters");
    // Empty means none, as for every optional text field.
    assertThat(TestEvents.valid().trace("", "").build().traceId()).isNull();
  }
}
