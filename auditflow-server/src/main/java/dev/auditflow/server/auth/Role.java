package dev.auditflow.server.auth;

import java.util.Locale;
import java.util.Optional;

/**
 * What a principal may do. Roles are additive; one principal may hold several. {@link #AUDITOR}
 * includes {@link #READER}, and {@link #ADMIN} includes every role.
 */
public enum Role {
  /** Ingest only. */
  WRITER,
  /** Query, count, get, verify, read workflows. */
  READER,
  /** A reader who may also export and list legal holds. */
  AUDITOR,
  /** Everything: tokens, legal holds, retention, workflow writes, the dead-letter queue. */
  ADMIN;

  /** True when holding this role grants {@code required}. */
  public boolean grants(Role required) {
    return this == required || this == ADMIN || (this == AUDITOR && required == READER);
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Role> fromWireName(String name) {
    for (Role r : values()) {
      if (r.wireName().equals(name)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }
}
