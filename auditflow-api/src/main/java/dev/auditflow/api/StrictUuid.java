package dev.auditflow.api;

import java.util.Optional;
import java.util.UUID;

/** UUID parsing that accepts only the canonical 36-character form. */
public final class StrictUuid {
  private StrictUuid() {}

  /** The UUID, or empty for anything else — including the short forms {@link UUID#fromString} lets through ("1-2-3-4-5"). */
  public static Optional<UUID> parse(String text) {
    if (text == null || text.length() != 36) {
      return Optional.empty();
    }
    try {
      return Optional.of(UUID.fromString(text));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
