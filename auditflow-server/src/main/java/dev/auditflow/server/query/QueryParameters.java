package dev.auditflow.server.query;

import dev.auditflow.api.EventOutcome;
import dev.auditflow.api.Severity;
import dev.auditflow.api.Timestamps;
import dev.auditflow.api.Violation;
import dev.auditflow.server.http.ApiException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a query string into an {@link EventFilter} and a {@link Page}, reporting every bad
 * parameter at once. Unknown parameters are refused too: a misspelt filter silently ignored is
 * how one page of 50 was once mistaken for "90 % lost".
 */
public final class QueryParameters {
  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 1000;

  /** The equality filters; each parameter is named as its column. */
  private static final List<String> EQUALITY =
      List.of("correlation_id", "event_type", "event_category", "event_outcome", "actor_id", "resource_type",
          "resource_id", "severity");

  private static final Set<String> FILTERS = new TreeSet<>(EQUALITY);
  private static final Set<String> PAGING = Set.of("limit", "order", "cursor");
  private static final Pattern RELATIVE = Pattern.compile("(\\d{1,9})([smhd])");

  private final Clock clock;

  public QueryParameters(Clock clock) {
    this.clock = clock;
  }

  /** The filter of a count request: filters only. */
  public EventFilter filter(Map<String, List<String>> params) {
    List<Violation> violations = new ArrayList<>();
    EventFilter filter = filter(params, violations, Set.of());
    throwIfAny(violations);
    return filter;
  }

  /** A list request: filters and paging. */
  public record ListRequest(EventFilter filter, Page page) {}

  public ListRequest list(Map<String, List<String>> params) {
    List<Violation> violations = new ArrayList<>();
    EventFilter filter = filter(params, violations, PAGING);
    int limit = DEFAULT_LIMIT;
    String limitText = single(params, "limit", violations);
    if (limitText != null) {
      try {
        limit = Integer.parseInt(limitText);
        if (limit < 1 || limit > MAX_LIMIT) {
          violations.add(new Violation("limit", "must be between 1 and " + MAX_LIMIT + ", was " + limit));
        }
      } catch (NumberFormatException e) {
        violations.add(new Violation("limit", "must be an integer between 1 and " + MAX_LIMIT + ", was \"" + limitText + "\""));
      }
    }
    boolean descending = true;
    String order = single(params, "order", violations);
    if (order != null) {
      if (order.equals("asc") || order.equals("desc")) {
        descending = order.equals("desc");
      } else {
        violations.add(new Violation("order", "must be asc or desc, was \"" + order + "\""));
      }
    }
    Cursor cursor = null;
    String cursorText = single(params, "cursor", violations);
    if (cursorText != null) {
      try {
        cursor = Cursor.decode(cursorText);
        if (cursor.descending() != descending) {
          violations.add(new Violation("cursor", "was issued for order=" + (cursor.descending() ? "desc" : "asc")
              + "; pass the same order with it"));
        }
      } catch (IllegalArgumentException e) {
        violations.add(new Violation("cursor", e.getMessage()));
      }
    }
    throwIfAny(violations);
    return new ListRequest(filter, new Page(limit, descending, cursor));
  }

  private EventFilter filter(Map<String, List<String>> params, List<Violation> violations, Set<String> alsoAllowed) {
    for (String name : params.keySet()) {
      if (!FILTERS.contains(name) && !alsoAllowed.contains(name) && !name.equals("since") && !name.equals("until")) {
        violations.add(new Violation(name, "unknown parameter; allowed: " + allowed(alsoAllowed)));
      }
    }
    Map<String, String> equals = new LinkedHashMap<>();
    for (String name : EQUALITY) {
      String value = single(params, name, violations);
      if (value == null) {
        continue;
      }
      if (value.isEmpty()) {
        violations.add(new Violation(name, "must not be empty"));
      } else if (name.equals("event_outcome") && EventOutcome.fromWireName(value).isEmpty()) {
        violations.add(new Violation("event_outcome", "must be one of success, failure, pending, was \"" + value + "\""));
      } else if (name.equals("severity") && Severity.fromWireName(value).isEmpty()) {
        violations.add(new Violation("severity", "must be one of debug, info, warning, error, critical, was \"" + value + "\""));
      }
      equals.put(name, value);
    }
    Instant since = time(params, "since", violations);
    Instant until = time(params, "until", violations);
    if (since != null && until != null && !since.isBefore(until)) {
      violations.add(new Violation("until", "must be after since"));
    }
    return new EventFilter(equals, since, until);
  }

  private static String allowed(Set<String> alsoAllowed) {
    Set<String> all = new TreeSet<>(FILTERS);
    all.add("since");
    all.add("until");
    all.addAll(alsoAllowed);
    return String.join(", ", all);
  }

  private static String single(Map<String, List<String>> params, String name, List<Violation> violations) {
    List<String> values = params.get(name);
    if (values == null || values.isEmpty()) {
      return null;
    }
    if (values.size() > 1) {
      violations.add(new Violation(name, "given " + values.size() + " times; give it once"));
    }
    return values.get(0);
  }

  /** RFC 3339, or relative to now: {@code 30s}, {@code 15m}, {@code 24h}, {@code 7d}. */
  private Instant time(Map<String, List<String>> params, String name, List<Violation> violations) {
    String text = single(params, name, violations);
    if (text == null) {
      return null;
    }
    Matcher relative = RELATIVE.matcher(text);
    if (relative.matches()) {
      long amount = Long.parseLong(relative.group(1));
      Duration ago = switch (relative.group(2)) {
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> Duration.ofDays(amount);
      };
      return Timestamps.normalize(clock.instant().minus(ago));
    }
    try {
      return Timestamps.parse(text);
    } catch (IllegalArgumentException e) {
      violations.add(new Violation(name, "must be RFC 3339 (2026-01-31T12:00:00Z) or relative (30s, 15m, 24h, 7d), was \"" + text + "\""));
      return null;
    }
  }

  private static void throwIfAny(List<Violation> violations) {
    if (!violations.isEmpty()) {
      throw ApiException.validation("invalid query parameters", violations);
    }
  }
}
