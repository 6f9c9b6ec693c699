package dev.auditflow.server.trail;

import java.time.LocalDate;
import java.util.UUID;

/**
 * An event claims an {@code event_id} that another event — stored, purged, or earlier in the same
 * request — holds with a timestamp on another day: not a retry but a second event under the same
 * id. Nothing of the request is stored.
 */
public final class EventIdConflictException extends RuntimeException {
  private final int index;
  private final UUID eventId;
  private final LocalDate takenOn;

  public EventIdConflictException(int index, UUID eventId, LocalDate takenOn) {
    super("event at index " + index + ": event_id " + eventId + " belongs to an event of " + takenOn, null, false,
        false);
    this.index = index;
    this.eventId = eventId;
    this.takenOn = takenOn;
  }

  /** The event's position in its request. */
  public int index() {
    return index;
  }

  public UUID eventId() {
    return eventId;
  }

  /** The UTC date of the event that holds the id. */
  public LocalDate takenOn() {
    return takenOn;
  }
}
