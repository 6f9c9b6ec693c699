package dev.auditflow.server.trail;

import java.util.List;

/**
 * An event's path into the root log when the trail spans shards (docs/SCALE.md): its leaf in its
 * shard's tree of the size the root log took, the shard's checkpoint of that size, and the root's
 * leaf — a server record carrying that checkpoint — with its path to the root's tree.
 *
 * @param event the event as its leaf hashed it, null once purged
 * @param record the server record that made the shard's checkpoint a leaf of the root log
 */
public record ShardInclusion(String shard, String shardCheckpoint, long shardSize, TransparencyLog.Leaf leaf,
    List<byte[]> path, StoredEvent event, TransparencyLog.Leaf recordLeaf, List<byte[]> recordPath,
    StoredEvent record) {}
