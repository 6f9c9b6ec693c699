package dev.auditflow.server.trail;

import dev.auditflow.server.testing.ServerFixture;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The trail contract on PostgreSQL, through the server's own {@link PostgresTrail}. */
class PostgresTrailTest extends AuditTrailContract {
  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();

  @Override
  protected AuditTrail trail() {
    return fx.server().trail();
  }
}
