package dev.auditflow.server.trail;

import java.time.LocalDate;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;

/**
 * Where a writer looks for the parents of its events that its own database does not store: nowhere
 * for the one database; the other shards when the trail spans several (docs/SCALE.md), since a
 * child's parent may be in another correlation, on another shard.
 */
@FunctionalInterface
public interface ParentLookup {
  /** No parent is stored anywhere else. */
  ParentLookup NOWHERE = ids -> Map.of();

  /** The dates of those of {@code eventIds} stored elsewhere, by id. */
  Map<UUID, LocalDate> datesOf(Collection<UUID> eventIds);
}
