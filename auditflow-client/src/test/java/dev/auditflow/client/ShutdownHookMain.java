package dev.auditflow.client;

import java.net.URI;
import java.time.Duration;

/**
 * A process that buffers events with a long flush interval and then exits without closing the
 * store: only the {@code closeOnShutdown} hook can deliver them. Run by {@link ShutdownHookTest}.
 */
public final class ShutdownHookMain {
  public static void main(String[] args) {
    AuditStore store = AuditStore.builder().endpoint(URI.create(args[0])).flushInterval(Duration.ofHours(1))
        .closeOnShutdown(Duration.ofSeconds(20)).build();
    int n = Integer.parseInt(args[1]);
    for (int i = 0; i < n; i++) {
      store.store(Events.event("shutdown-hook"));
    }
    System.exit(0);
  }
}
