package dev.auditflow.server.query;

import static dev.auditflow.server.query.PageParameters.single;

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
  /** The equality filters; each parameter is named as its column. */
  private static final List<String> EQUALITY =
      List.of("correlation_id", "event_type", "event_category", "event_outcome", "actor_id", "resource_type",
          "resource_id", "severity");

  private static final Set<String> FILTERS = new TreeSet<>(EQUALITY);
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
    EventFilter filter = filter(params, violations, PageParameters.NAMES);
    Page page = PageParameters.read(params, violations);
    throwIfAny(violations);
    return new ListRequest(filter, page);
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

  static void throwIfAny(List<Violation> violations) {
    if (!violations.isEmpty()) {
      throw ApiException.validation("invalid query parameters", violations);
    }
  }
}
