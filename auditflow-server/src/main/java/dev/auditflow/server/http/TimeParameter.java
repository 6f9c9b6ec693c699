package dev.auditflow.server.http;

import dev.auditflow.api.Timestamps;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A point in time as the query parameters {@code since} and {@code until} accept it — every form
 * Kubernaut's readers send:
 *
 * <ul>
 *   <li>a duration back from now: one or more {@code <number><unit>} parts, units {@code ms s m
 *       h d} ({@code 30s}, {@code 15m}, {@code 1h30m}, {@code 24h}, {@code 7d}, {@code 1.5h});
 *   <li>RFC 3339 with an offset ({@code 2026-01-31T12:00:00Z}, {@code …+02:00});
 *   <li>{@code 2026-01-31T12:00:00} without an offset, read as UTC;
 *   <li>{@code 2026-01-31}, the start of that day in UTC.
 * </ul>
 */
public final class TimeParameter {
  public static final String FORMS = "a duration back from now (30s, 15m, 1h30m, 24h, 7d), RFC 3339 (2026-01-31T12:00:00Z),"
      + " 2026-01-31T12:00:00 (UTC) or 2026-01-31 (start of day, UTC)";
  private static final Pattern DURATION = Pattern.compile("((\\d{1,9}(\\.\\d{1,9})?)(ms|s|m|h|d))+");
  private static final Pattern PART = Pattern.compile("(\\d{1,9}(?:\\.\\d{1,9})?)(ms|s|m|h|d)");
  private static final Map<String, Long> NANOS_PER_UNIT = Map.of(
      "ms", 1_000_000L, "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L, "d", 86_400_000_000_000L);
  /** Ten years back is as far as a relative time may reach (retention is at most seven). */
  private static final Duration LONGEST = Duration.ofDays(3653);

  private TimeParameter() {}

  /** The instant, or empty when the text is none of the accepted forms. */
  public static Optional<Instant> parse(String text, Clock clock) {
    if (DURATION.matcher(text).matches()) {
      return duration(text).map(ago -> Timestamps.normalize(clock.instant().minus(ago)));
    }
    try {
      return Optional.of(Timestamps.parse(text));
    } catch (IllegalArgumentException notRfc3339) {
      // one of the offset-less forms below, or nothing
    }
    try {
      if (text.length() == 10) {
        return Optional.of(LocalDate.parse(text).atStartOfDay().toInstant(ZoneOffset.UTC));
      }
      return Optional.of(Timestamps.normalize(LocalDateTime.parse(text).toInstant(ZoneOffset.UTC)));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static Optional<Duration> duration(String text) {
    BigDecimal nanos = BigDecimal.ZERO;
    Matcher part = PART.matcher(text);
    while (part.find()) {
      nanos = nanos.add(new BigDecimal(part.group(1)).multiply(BigDecimal.valueOf(NANOS_PER_UNIT.get(part.group(2)))));
    }
    if (nanos.compareTo(BigDecimal.valueOf(LONGEST.toNanos())) > 0) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofNanos(nanos.longValue()));
  }
}
