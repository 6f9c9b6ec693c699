package dev.auditflow.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The hand-written fast paths of {@link Timestamps} against java.time's formatter and parser,
 * which define the answers: the same text out, the same instant in, the same refusals.
 */
class TimestampsTest {
  private static final DateTimeFormatter REFERENCE_FORMAT = new DateTimeFormatterBuilder()
      .appendPattern("uuuu-MM-dd'T'HH:mm:ss").appendFraction(ChronoField.MICRO_OF_SECOND, 6, 6, true)
      .appendLiteral('Z').toFormatter(Locale.ROOT).withZone(ZoneOffset.UTC);
  /** 0000-01-01 to 9999-12-31 and a little beyond each end, where the formatter takes over. */
  private static final long FIRST = Instant.parse("-0001-06-01T00:00:00Z").getEpochSecond();
  private static final long LAST = Instant.parse("+10001-06-01T00:00:00Z").getEpochSecond();

  @Test
  void formatsAsTheFormatterDoes() {
    Random random = new Random(1128);
    for (int i = 0; i < 200_000; i++) {
      Instant instant = Instant.ofEpochSecond(FIRST + (long) (random.nextDouble() * (LAST - FIRST)), random.nextInt(1_000_000_000));
      assertThat(Timestamps.format(instant)).isEqualTo(REFERENCE_FORMAT.format(instant.truncatedTo(ChronoUnit.MICROS)));
    }
    assertThat(Timestamps.format(Instant.parse("1969-12-31T23:59:59.999999999Z"))).isEqualTo("1969-12-31T23:59:59.999999Z");
  }

  @Test
  void parsesAsTheParserDoes() {
    Random random = new Random(2811);
    String[] offsets = {"Z", "z", "+00:00", "-00:00", "+02:00", "-05:30", "+14:00", "-18:00", "+18:00", "+19:00",
        "+01:60", "+01:00:30", "+0100", "+1:00", ""};
    for (int i = 0; i < 100_000; i++) {
      String text = String.format(Locale.ROOT, "%04d-%02d-%02d%c%02d:%02d:%02d%s%s", random.nextInt(10_000),
          random.nextInt(14), random.nextInt(33), random.nextInt(8) == 0 ? 't' : 'T', random.nextInt(25),
          random.nextInt(61), random.nextInt(61), fraction(random), offsets[random.nextInt(offsets.length)]);
      assertSameAnswer(text);
    }
    for (String odd : new String[] {"2026-01-31T12:00:00.Z", "2026-01-31T12:00:00.1234567890Z", "2026-01-31 12:00:00Z",
        "2026-1-31T12:00:00Z", "+2026-01-31T12:00:00Z", "2026-01-31T12:00Z", "2026-01-31T12:00:00ZZ",
        "２026-01-31T12:00:00Z", "2026-01-31T12:00:00+01:0a", "2026-02-29T00:00:00Z", "2024-02-29T00:00:00Z"}) {
      assertSameAnswer(odd);
    }
  }

  private static String fraction(Random random) {
    int digits = random.nextInt(11);
    if (digits == 0) {
      return "";
    }
    StringBuilder sb = new StringBuilder(".");
    for (int i = 1; i < digits; i++) {
      sb.append((char) ('0' + random.nextInt(10)));
    }
    return sb.toString();
  }

  private static void assertSameAnswer(String text) {
    Instant expected;
    try {
      expected = OffsetDateTime.parse(text.toUpperCase(Locale.ROOT), DateTimeFormatter.ISO_OFFSET_DATE_TIME)
          .toInstant().truncatedTo(ChronoUnit.MICROS);
    } catch (RuntimeException refused) {
      assertThatThrownBy(() -> Timestamps.parse(text)).as(text).isInstanceOf(IllegalArgumentException.class);
      return;
    }
    assertThat(Timestamps.parse(text)).as(text).isEqualTo(expected);
  }
}
