package dev.auditflow.api;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Optional;

/** How the audited action ended. Serialised in lower case. */
public enum EventOutcome {
  SUCCESS,
  FAILURE,
  PENDING;

  /** The JSON form, e.g. {@code "success"}. */
  @JsonValue
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Parses the exact lower-case wire name; anything else is not an outcome. */
  public static Optional<EventOutcome> fromWireName(String value) {
    return WireNames.parse(EventOutcome.class, value);
  }
}
