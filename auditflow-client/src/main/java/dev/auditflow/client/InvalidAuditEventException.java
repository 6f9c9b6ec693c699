package dev.auditflow.client;

import dev.auditflow.api.Violation;
import java.util.List;

/**
 * The event breaks the event model's rules; it was rejected before entering the buffer, and
 * {@link #violations()} lists every rule it breaks.
 */
public final class InvalidAuditEventException extends IllegalArgumentException {
  private final transient List<Violation> violations;

  public InvalidAuditEventException(List<Violation> violations) {
    super("invalid audit event: " + violations);
    this.violations = List.copyOf(violations);
  }

  public List<Violation> violations() {
    return violations;
  }
}
