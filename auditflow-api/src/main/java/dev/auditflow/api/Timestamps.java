package dev.auditflow.api;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * RFC 3339 timestamps as auditflow stores them: any offset accepted on input, always UTC with
 * microsecond precision on output. Microseconds because that is PostgreSQL's {@code timestamptz}
 * precision: a value that survives a round trip through the database unchanged is one a hash over
 * it can be verified against later.
 */
public final class Timestamps {
  private static final DateTimeFormatter UTC_MICROS =
      new DateTimeFormatterBuilder()
          .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
          .appendFraction(ChronoField.MICRO_OF_SECOND, 6, 6, true)
          .appendLiteral('Z')
          .toFormatter(Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private Timestamps() {}

  /** Truncates to microseconds, the precision auditflow keeps. */
  public static Instant normalize(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MICROS);
  }

  /**
   * Parses an RFC 3339 date-time with any offset ({@code Z}, {@code +02:00}, {@code -05:30}; the
   * separator {@code T} and {@code Z} in either case) and normalises it to UTC microseconds.
   *
   * @throws IllegalArgumentException if the text is not an RFC 3339 date-time with an offset
   */
  public static Instant parse(String text) {
    try {
      // RFC 3339 §5.6 allows lower-case 't' and 'z'; ISO_OFFSET_DATE_TIME does not.
      String upper = text.toUpperCase(Locale.ROOT);
      return normalize(OffsetDateTime.parse(upper, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "not an RFC 3339 date-time with offset (e.g. 2026-01-31T12:00:00Z): " + text, e);
    }
  }

  /** Formats as {@code 2026-01-31T12:00:00.000000Z}: UTC, always six fraction digits. */
  public static String format(Instant instant) {
    return UTC_MICROS.format(normalize(instant));
  }
}
