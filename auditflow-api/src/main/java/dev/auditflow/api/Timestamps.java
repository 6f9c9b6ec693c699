package dev.auditflow.api;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
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
    Instant common = parseCommonForm(text);
    if (common != null) {
      return common;
    }
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
    long seconds = instant.getEpochSecond();
    LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(seconds, SECONDS_PER_DAY));
    if (date.getYear() < 0 || date.getYear() > 9999) {
      return UTC_MICROS.format(normalize(instant));
    }
    // Every stored and every hashed event is formatted: written digit by digit, the formatter's
    // field-by-field machinery is skipped (TimestampsTest holds both to the same output).
    int secondOfDay = (int) Math.floorMod(seconds, SECONDS_PER_DAY);
    char[] out = new char[27];
    digits(out, 0, date.getYear(), 4);
    out[4] = '-';
    digits(out, 5, date.getMonthValue(), 2);
    out[7] = '-';
    digits(out, 8, date.getDayOfMonth(), 2);
    out[10] = 'T';
    digits(out, 11, secondOfDay / 3600, 2);
    out[13] = ':';
    digits(out, 14, secondOfDay / 60 % 60, 2);
    out[16] = ':';
    digits(out, 17, secondOfDay % 60, 2);
    out[19] = '.';
    digits(out, 20, instant.getNano() / 1000, 6);
    out[26] = 'Z';
    return new String(out);
  }

  private static final long SECONDS_PER_DAY = 86_400;

  private static void digits(char[] out, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      out[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }

  /**
   * The form nearly every client sends — {@code 2026-01-31T12:00:00[.fraction](Z|±hh:mm)} — read
   * directly; null for anything else, which the full parser then accepts or explains. Values are
   * range-checked by {@code LocalDate.of} and {@code LocalTime.of} exactly as the parser checks
   * them; TimestampsTest holds both paths to the same answers.
   */
  private static Instant parseCommonForm(String text) {
    int n = text.length();
    if (n < 20 || n > 35 || text.charAt(4) != '-' || text.charAt(7) != '-' || (text.charAt(10) | 0x20) != 't'
        || text.charAt(13) != ':' || text.charAt(16) != ':') {
      return null;
    }
    int year = number(text, 0, 4);
    int month = number(text, 5, 2);
    int day = number(text, 8, 2);
    int hour = number(text, 11, 2);
    int minute = number(text, 14, 2);
    int second = number(text, 17, 2);
    int at = 19;
    int nanos = 0;
    if (text.charAt(at) == '.') {
      int start = ++at;
      while (at < n && at - start < 9 && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
        nanos = nanos * 10 + (text.charAt(at++) - '0');
      }
      if (at == start) {
        return null;
      }
      for (int i = at - start; i < 9; i++) {
        nanos *= 10;
      }
    }
    int offsetSeconds;
    if (at == n - 1 && (text.charAt(at) | 0x20) == 'z') {
      offsetSeconds = 0;
    } else if (at == n - 6 && (text.charAt(at) == '+' || text.charAt(at) == '-') && text.charAt(at + 3) == ':') {
      int hours = number(text, at + 1, 2);
      int minutes = number(text, at + 4, 2);
      if (hours < 0 || hours > 18 || minutes < 0 || minutes > 59) {
        return null;
      }
      offsetSeconds = (text.charAt(at) == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
    } else {
      return null;
    }
    if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
      return null;
    }
    try {
      LocalDateTime local = LocalDateTime.of(LocalDate.of(year, month, day), LocalTime.of(hour, minute, second, nanos));
      return normalize(local.toInstant(ZoneOffset.ofTotalSeconds(offsetSeconds)));
    } catch (DateTimeException e) {
      return null; // out of range: the full parser says why
    }
  }

  /** The decimal number in {@code text[at, at + width)}, or -1 if any of it is not a digit. */
  private static int number(String text, int at, int width) {
    int value = 0;
    for (int i = at; i < at + width; i++) {
      char ch = text.charAt(i);
      if (ch < '0' || ch > '9') {
        return -1;
      }
      value = value * 10 + (ch - '0');
    }
    return value;
  }
}
