package dev.auditflow.server.timing;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.client.BatchAck;
import dev.auditflow.client.BatchTransport;
import dev.auditflow.client.TransportException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Wraps the real HTTP transport and records when each batch left and how big it was. */
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
    try {
      return delegate.send(batch, timeout);
    } finally {
      sends.add(new Send(start, System.nanoTime(), batch.size()));
    }
  }

  @Override
  public void close() {
    delegate.close();
  }
}
