package dev.auditflow.server.timing;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.completeness.Declaration;
import dev.auditflow.client.BatchAck;
import dev.auditflow.client.BatchTransport;
import dev.auditflow.client.TransportException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Wraps the real HTTP transport and records when each batch of the producer's events left and how
 * many it carried. The store's own declarations (docs/COMPLETENESS.md) are sent but not counted,
 * and a request of declarations only — the epoch-closed marker at close — is not recorded: the
 * scenarios time the producer's batches.
 */
final class RecordingTransport implements BatchTransport {
  record Send(long startNanos, long endNanos, int size) {}

  private final BatchTransport delegate;
  final List<Send> sends = new CopyOnWriteArrayList<>();

  RecordingTransport(BatchTransport delegate) {
    this.delegate = delegate;
  }

  @Override
  public BatchAck send(List<AuditEvent> batch, Duration timeout) throws TransportException, InterruptedException {
    long start = System.nanoTime();
    int events = (int) batch.stream().filter(e -> !Declaration.claims(e)).count();
    try {
      return delegate.send(batch, timeout);
    } finally {
      if (events > 0) {
        sends.add(new Send(start, System.nanoTime(), events));
      }
    }
  }

  @Override
  public void close() {
    delegate.close();
  }
}
