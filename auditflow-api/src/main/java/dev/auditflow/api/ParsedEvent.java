package dev.auditflow.api;

import java.util.List;

/**
 * An event read from JSON with the problems found while reading and validating it. {@code event}
 * is null only when the JSON was not an object at all.
 */
public record ParsedEvent(AuditEvent event, List<Violation> violations) {
  public ParsedEvent {
    violations = List.copyOf(violations);
  }

  public boolean isValid() {
    return event != null && violations.isEmpty();
  }
}
