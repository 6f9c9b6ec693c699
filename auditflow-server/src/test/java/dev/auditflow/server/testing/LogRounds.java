package dev.auditflow.server.testing;

import dev.auditflow.server.AuditServer;
import dev.auditflow.server.trail.TransparencyLog;

/** Integration on demand, for tests that need every stored event to be a leaf now, not in a moment. */
public final class LogRounds {
  private LogRounds() {}

  /**
   * Runs the server's integration rounds until one finds the queue empty. A round skipped because
   * another instance's integrator holds the log is no proof of that: wait for it and go again.
   */
  public static void integrateAll(AuditServer server) {
    TransparencyLog.Round round;
    do {
      round = server.trail().log().integrate();
      if (round.skipped()) {
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    } while (round.integrated() > 0 || round.skipped());
  }
}
