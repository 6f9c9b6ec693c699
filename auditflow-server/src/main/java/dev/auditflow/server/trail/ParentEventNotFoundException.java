package dev.auditflow.server.trail;

import java.util.UUID;

/** An event names a parent that does not exist; nothing of its request is stored. */
public final class ParentEventNotFoundException extends RuntimeException {
  private final int index;
  private final UUID parentEventId;

  public ParentEventNotFoundException(int index, UUID parentEventId) {
    super("event at index " + index + ": parent event does not exist (parent_event_id " + parentEventId + ")");
    this.index = index;
    this.parentEventId = parentEventId;
  }

  /** The event's position in its request. */
  public int index() {
    return index;
  }

  public UUID parentEventId() {
    return parentEventId;
  }
}
