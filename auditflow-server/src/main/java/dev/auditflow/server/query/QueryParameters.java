package dev.auditflow.server.query;

import static dev.auditflow.server.query.PageParameters.single;

import dev.auditflow.api.EventOutcome;
import dev.auditflow.api.StrictUuid;
import dev.auditflow.api.TraceIds;
import dev.auditflow.api.Violation;
import dev.auditflow.server.failure.RequestRefusedException;
import dev.auditflow.server.http.TimeParameter;
import dev.auditflow.server.trail.DetailFilter;
import dev.auditflow.server.trail.EventFilter;
import dev.auditflow.server.trail.Page;
import dev.auditflow.server.trail.ProducerRange;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Reads a query string into an {@link EventFilter} and a {@link Page}, reporting every bad
 * parameter at once. Unknown parameters are refused too: a misspelt filter silently ignored is
 * how one page of 50 was once mistaken for "90 % lost". Every parameter of Kubernaut's query
 * contract is known ({@code offset}, {@code detail_key}, {@code detail_value} included).
 */
public final class QueryParameters {
  /** The equality filters; each parameter is named as its column. */
  private static final List<String> EQUALITY =
      List.of("correlation_id", "event_type", "event_category", "event_outcome", "actor_id", "resource_type",
          "resource_id", "severity", "trace_id");

  private static final Set<String> FILTERS = new TreeSet<>(List.of("since", "until", "detail_key", "detail_value",
      "exclude_category", "producer_epoch", "producer_seq_from", "producer_seq_to"));
  private static final Pattern DETAIL_KEY = Pattern.compile("[a-zA-Z0-9_]{1,100}");
  /**
   * A detail filter reads {@code event_data} row by row, which no index helps with: without a
   * correlation id it searches a time window no longer than this — the last 31 days when the
   * request names no {@code since} — so that it never scans a year.
   */
  static final Duration LONGEST_DETAIL_WINDOW = Duration.ofDays(31);

  static {
    FILTERS.addAll(EQUALITY);
  }

  private final Clock clock;
  private final int defaultLimit;

  /** @param defaultLimit the page size when a list request names no {@code limit} */
  public QueryParameters(Clock clock, int defaultLimit) {
    this.clock = clock;
    this.defaultLimit = defaultLimit;
  }

  /** The filter of a count request: filters only. */
  public EventFilter filter(Map<String, List<String>> params) {
    List<Violation> violations = new ArrayList<>();
    EventFilter filter = filter(params, violations, Set.of());
    throwIfAny(violations);
    return filter;
  }

  /** A histogram request: filters and the number of buckets. */
  public record HistogramRequest(EventFilter filter, int buckets) {}

  public static final int DEFAULT_BUCKETS = 60;
  public static final int MAX_BUCKETS = 500;

  public HistogramRequest histogram(Map<String, List<String>> params) {
    List<Violation> violations = new ArrayList<>();
    EventFilter filter = filter(params, violations, Set.of("buckets"));
    String text = single(params, "buckets", violations);
    int buckets = DEFAULT_BUCKETS;
    if (text != null) {
      try {
        buckets = Integer.parseInt(text);
      } catch (NumberFormatException e) {
        buckets = -1;
      }
      if (buckets < 1 || buckets > MAX_BUCKETS) {
        violations.add(new Violation("buckets", "must be an integer from 1 to " + MAX_BUCKETS + ", was \"" + text + "\""));
      }
    }
    throwIfAny(violations);
    return new HistogramRequest(filter, buckets);
  }

  /** A list request: filters and paging. */
  public record ListRequest(EventFilter filter, Page page) {}

  public ListRequest list(Map<String, List<String>> params) {
    List<Violation> violations = new ArrayList<>();
    Set<String> paging = new TreeSet<>(PageParameters.NAMES);
    paging.add("offset");
    EventFilter filter = filter(params, violations, paging);
    Page page = PageParameters.read(params, violations, defaultLimit);
    Integer offset = PageParameters.offset(params, violations);
    if (offset != null && page.after() != null) {
      violations.add(new Violation("offset", "give offset or cursor, not both"));
    }
    throwIfAny(violations);
    return new ListRequest(filter, new Page(page.limit(), page.descending(), page.after(), offset));
  }

  private EventFilter filter(Map<String, List<String>> params, List<Violation> violations, Set<String> alsoAllowed) {
    for (String name : params.keySet()) {
      if (!FILTERS.contains(name) && !alsoAllowed.contains(name)) {
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
      } else if (name.equals("trace_id") && !TraceIds.isTraceId(value)) {
        // Stored ids all have this form: any other value would match nothing, silently.
        violations.add(new Violation("trace_id", "must be " + TraceIds.TRACE_ID_FORM));
      }
      equals.put(name, value);
    }
    Instant since = time(params, "since", violations);
    Instant until = time(params, "until", violations);
    if (since != null && until != null && since.isAfter(until)) {
      violations.add(new Violation("until", "must not be before since"));
    }
    DetailFilter detail = detail(params, violations, equals.containsKey("correlation_id"), since, until);
    if (detail != null && since == null && !equals.containsKey("correlation_id")) {
      since = (until != null ? until : clock.instant()).minus(LONGEST_DETAIL_WINDOW);
    }
    String excluded = single(params, "exclude_category", violations);
    if (excluded != null && excluded.isEmpty()) {
      violations.add(new Violation("exclude_category", "must not be empty"));
    }
    return new EventFilter(equals, since, until, detail, excluded, producerRange(params, violations));
  }

  /** {@code producer_epoch}, and optionally {@code producer_seq_from} / {@code producer_seq_to} (inclusive) within it. */
  private static ProducerRange producerRange(Map<String, List<String>> params, List<Violation> violations) {
    String epochText = single(params, "producer_epoch", violations);
    Long from = seq(params, "producer_seq_from", violations);
    Long to = seq(params, "producer_seq_to", violations);
    if (epochText == null) {
      if (from != null || to != null) {
        violations.add(new Violation(from != null ? "producer_seq_from" : "producer_seq_to",
            "numbers are of one producer epoch: give producer_epoch too"));
      }
      return null;
    }
    UUID epoch = StrictUuid.parse(epochText).orElse(null);
    if (epoch == null) {
      violations.add(new Violation("producer_epoch", "must be a UUID, was \"" + epochText + "\""));
      return null;
    }
    long first = from == null ? 1 : from;
    long last = to == null ? Long.MAX_VALUE : to;
    if (first > last) {
      violations.add(new Violation("producer_seq_to", "must not be below producer_seq_from"));
    }
    return new ProducerRange(epoch, first, last);
  }

  private static Long seq(Map<String, List<String>> params, String name, List<Violation> violations) {
    String text = single(params, name, violations);
    if (text == null) {
      return null;
    }
    try {
      long n = Long.parseLong(text);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    violations.add(new Violation(name, "must be a sequence number from 1 to " + Long.MAX_VALUE + ", was \"" + text + "\""));
    return null;
  }

  private DetailFilter detail(Map<String, List<String>> params, List<Violation> violations, boolean byCorrelation,
      Instant since, Instant until) {
    String key = single(params, "detail_key", violations);
    String value = single(params, "detail_value", violations);
    if (key == null && value == null) {
      return null;
    }
    if (key == null || value == null) {
      violations.add(new Violation(key == null ? "detail_key" : "detail_value",
          "detail_key and detail_value must both be provided"));
      return null;
    }
    if (!DETAIL_KEY.matcher(key).matches()) {
      violations.add(new Violation("detail_key", "must match [a-zA-Z0-9_]+ (1 to 100 characters), was \"" + key + "\""));
      return null;
    }
    Instant end = until != null ? until : clock.instant();
    if (!byCorrelation && since != null && since.plus(LONGEST_DETAIL_WINDOW).isBefore(end)) {
      violations.add(new Violation("detail_key", "without correlation_id, searches at most "
          + LONGEST_DETAIL_WINDOW.toDays() + " days: since must be within " + LONGEST_DETAIL_WINDOW.toDays()
          + " days of until (or of now); event_data is searched row by row"));
      return null;
    }
    return new DetailFilter(key, value);
  }

  private static String allowed(Set<String> alsoAllowed) {
    Set<String> all = new TreeSet<>(FILTERS);
    all.addAll(alsoAllowed);
    return String.join(", ", all);
  }

  private Instant time(Map<String, List<String>> params, String name, List<Violation> violations) {
    String text = single(params, name, violations);
    if (text == null) {
      return null;
    }
    return TimeParameter.parse(text, clock).orElseGet(() -> {
      violations.add(new Violation(name, "must be " + TimeParameter.FORMS + ", was \"" + text + "\""));
      return null;
    });
  }

  static void throwIfAny(List<Violation> violations) {
    if (!violations.isEmpty()) {
      throw RequestRefusedException.validation("invalid query parameters", violations);
    }
  }
}
