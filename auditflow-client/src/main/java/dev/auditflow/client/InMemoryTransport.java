package dev.auditflow.client;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.completeness.Declaration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * A transport that keeps what it is sent in memory and answers as the server does — an event id
 * seen before is a duplicate, acknowledged and not kept twice — so that code which audits can be
 * tested without a server:
 *
 * <pre>{@code
 * InMemoryTransport sent = new InMemoryTransport();
 * try (AuditStore audit = AuditStore.builder().transport(sent).build()) {
 *   checkout.pay(order, audit);
 *   audit.flush(Duration.ofSeconds(5));
 * }
 * assertThat(sent.events()).extracting(AuditEvent::eventType).containsExactly("payment.authorised");
 * }</pre>
 *
 * <p>The store's own declarations (what it gave up on, and the epoch-closed marker sent at close;
 * docs/COMPLETENESS.md) are kept apart, in {@link #declarations()}: {@link #events()} and {@link
 * #batches()} are what the code under test audited.
 *
 * <p>{@link #unavailable(boolean)} makes every send fail as an unreachable server does (nothing
 * sent, retryable), to test what that code does when delivery fails. It does not validate events:
 * the store has done that before a batch reaches any transport.
 */
public final class InMemoryTransport implements BatchTransport {
  private final List<AuditEvent> events = new ArrayList<>();
  private final List<AuditEvent> declarations = new ArrayList<>();
  private final Set<UUID> ids = new HashSet<>();
  private int batches;
  private volatile boolean unavailable;

  @Override
  public synchronized BatchAck send(List<AuditEvent> batch, Duration timeout) throws TransportException {
    if (unavailable) {
      throw TransportException.notSent("the in-memory transport is unavailable (as the test made it)", null);
    }
    int created = 0;
    boolean audited = false;
    for (AuditEvent event : batch) {
      boolean declaration = Declaration.claims(event);
      audited |= !declaration;
      // An event without an id gets one from its content on the server; here each is simply new.
      if (event.eventId() == null || ids.add(event.eventId())) {
        (declaration ? declarations : events).add(event);
        created++;
      }
    }
    if (audited) {
      batches++;
    }
    return new BatchAck(created, batch.size() - created, false);
  }

  /** Every event kept, in the order received; a copy. */
  public synchronized List<AuditEvent> events() {
    return List.copyOf(events);
  }

  /** The store's declarations and epoch-closed markers kept, in the order received; a copy. */
  public synchronized List<AuditEvent> declarations() {
    return List.copyOf(declarations);
  }

  /** How many batches of audited events were acknowledged (a request of declarations only is not one). */
  public synchronized int batches() {
    return batches;
  }

  /** Forgets every event and batch, as a fresh transport. */
  public synchronized void clear() {
    events.clear();
    declarations.clear();
    ids.clear();
    batches = 0;
  }

  /** While true, every send fails as an unreachable server does: retryable, nothing stored. */
  public void unavailable(boolean unavailable) {
    this.unavailable = unavailable;
  }
}
