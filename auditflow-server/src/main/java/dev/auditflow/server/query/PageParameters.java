package dev.auditflow.server.query;

import dev.auditflow.api.Violation;
import dev.auditflow.server.trail.Cursor;
import dev.auditflow.server.trail.Page;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The paging parameters every list endpoint shares: {@code limit}, {@code order}, {@code cursor}. */
public final class PageParameters {
  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 1000;
  public static final Set<String> NAMES = Set.of("limit", "order", "cursor");

  private PageParameters() {}

  /** Reads the page, adding a violation for each bad parameter. */
  public static Page read(Map<String, List<String>> params, List<Violation> violations) {
    return read(params, violations, DEFAULT_LIMIT);
  }

  /** As {@link #read(Map, List)}, with another page size when {@code limit} is absent. */
  public static Page read(Map<String, List<String>> params, List<Violation> violations, int defaultLimit) {
    int limit = defaultLimit;
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
    return new Page(limit, descending, cursor);
  }

  /** Kubernaut's {@code offset}: rows to skip, or null when absent. */
  public static Integer offset(Map<String, List<String>> params, List<Violation> violations) {
    String text = single(params, "offset", violations);
    if (text == null) {
      return null;
    }
    try {
      int offset = Integer.parseInt(text);
      if (offset >= 0) {
        return offset;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    violations.add(new Violation("offset", "must be an integer >= 0, was \"" + text + "\""));
    return null;
  }

  /** A parameter given at most once; a repeat is a violation. */
  public static String single(Map<String, List<String>> params, String name, List<Violation> violations) {
    List<String> values = params.get(name);
    if (values == null || values.isEmpty()) {
      return null;
    }
    if (values.size() > 1) {
      violations.add(new Violation(name, "given " + values.size() + " times; give it once"));
    }
    return values.get(0);
  }
}
