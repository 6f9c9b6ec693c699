package dev.auditflow.api;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Optional;

/** How much attention an event deserves. Serialised in lower case; {@link #INFO} by default. */
public enum Severity {
  DEBUG,
  INFO,
  WARNING,
  ERROR,
  CRITICAL;

  // Computed once: every event built without a severity asks for INFO's.
  private final String wireName = name().toLowerCase(java.util.Locale.ROOT);

  /** The JSON form, e.g. {@code "warning"}. */
  @JsonValue
  public String wireName() {
    return wireName;
  }

  /** Parses the exact lower-case wire name; anything else is not a severity. */
  public static Optional<Severity> fromWireName(String value) {
    return WireNames.parse(Severity.class, value);
  }
}
