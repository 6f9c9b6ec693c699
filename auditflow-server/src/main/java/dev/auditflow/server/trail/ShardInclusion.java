package dev.auditflow.server.trail;

import java.util.List;

/**
 * An event's path into the root log when the trail spans shards (docs/SCALE.md): its leaf in its
 * shard's tree of the size the root log took, and that checkpoint's step into the root.
 *
 * @param event the event as its leaf hashed it, null once purged
 */
public record ShardInclusion(ShardStep step, TransparencyLog.Leaf leaf, List<byte[]> path, StoredEvent event) {}
