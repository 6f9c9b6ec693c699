package dev.auditflow.server.log;

import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.StrictUuid;
import dev.auditflow.api.Violation;
import dev.auditflow.api.log.NoteKey;
import dev.auditflow.api.log.Tile;
import dev.auditflow.server.auth.AccessAudit;
import dev.auditflow.server.failure.NotFoundException;
import dev.auditflow.server.failure.RequestRefusedException;
import dev.auditflow.server.http.Json;
import dev.auditflow.server.trail.AnswerBudget;
import dev.auditflow.server.trail.CheckpointSigner;
import dev.auditflow.server.trail.ShardInclusion;
import dev.auditflow.server.trail.StoredEvent;
import dev.auditflow.server.trail.TransparencyLog;
import dev.auditflow.verify.PublicKeys;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The verifiable log over HTTP (docs/LOG.md): the latest signed checkpoint, the key that verifies
 * it, inclusion and consistency proofs in RFC 9162's terms, and the leaves with their events.
 * Proofs are answered for any size up to the latest checkpoint's, never beyond what is signed.
 */
public final class LogRoutes {
  public static final String CHECKPOINT = "/api/v1/log/checkpoint";
  public static final String KEY = "/api/v1/log/key";
  public static final String INCLUSION = "/api/v1/log/proof/inclusion";
  public static final String CONSISTENCY = "/api/v1/log/proof/consistency";
  public static final String ENTRIES = "/api/v1/log/entries";
  /** A shard's own log (docs/SCALE.md): its checkpoint, key and consistency proofs, under {@code /api/v1/log/shards/<name>}. */
  public static final String SHARD = "/api/v1/log/shards/{shard}";
  /** C2SP tlog-tiles under the prefix {@code /api/v1/log}: {@code tile/<L>/<N>[.p/<W>]}. */
  public static final String TILE = "/api/v1/log/tile/{level}/<index>";
  /** Most entries one request returns. */
  public static final int MAX_ENTRIES = 1000;
  private static final int ENTRIES_PER_READ = 100;

  private final TransparencyLog log;
  private final CheckpointSigner signer;
  private final long maxAnswerBytes;

  /** @param maxAnswerBytes the most one answer of entries may carry ({@link AnswerBudget}) */
  public LogRoutes(TransparencyLog log, CheckpointSigner signer, long maxAnswerBytes) {
    this.maxAnswerBytes = maxAnswerBytes;
    this.log = log;
    this.signer = signer;
  }

  public void register(JavalinConfig config) {
    config.routes.get(CHECKPOINT, ctx -> checkpoint(ctx, log));
    config.routes.get(KEY, ctx -> key(ctx, log));
    config.routes.get(INCLUSION, this::inclusion);
    config.routes.get(CONSISTENCY, ctx -> consistency(ctx, log));
    config.routes.get(ENTRIES, ctx -> entries(ctx, log));
    config.routes.get(TILE, this::tile);
    config.routes.get(SHARD + "/checkpoint", ctx -> checkpoint(ctx, shardLog(ctx)));
    config.routes.get(SHARD + "/key", ctx -> key(ctx, shardLog(ctx)));
    config.routes.get(SHARD + "/proof/consistency", ctx -> consistency(ctx, shardLog(ctx)));
    config.routes.get(SHARD + "/entries", ctx -> entries(ctx, shardLog(ctx)));
  }

  private TransparencyLog shardLog(Context ctx) {
    String shard = ctx.pathParam("shard");
    return log.shardLog(shard).orElseThrow(() -> new NotFoundException("no shard " + shard + " (the trail's shards"
        + " are in the catalog's placement, docs/SCALE.md)"));
  }

  private TransparencyLog.State signed() {
    return signed(log);
  }

  private static TransparencyLog.State signed(TransparencyLog log) {
    TransparencyLog.State state = log.state();
    if (state.checkpoint() == null) {
      throw new NotFoundException("the log has no signed checkpoint yet: the integrator signs the first one"
          + " within a moment of start");
    }
    return state;
  }

  private static void checkpoint(Context ctx, TransparencyLog log) {
    ctx.contentType("text/plain; charset=utf-8");
    // It changes every time the log grows (C2SP tlog-tiles: no caching beyond a few seconds).
    ctx.header("Cache-Control", "no-cache");
    ctx.result(signed(log).checkpoint());
  }

  /**
   * A tile of the tree as of the latest checkpoint. Tiles hold hashes only; C2SP's entry bundles,
   * which would hold the events themselves, are not served (events are read through the
   * access-controlled, audited APIs, and a purged event has no entry left to serve).
   */
  private void tile(Context ctx) {
    Tile tile;
    try {
      String level = ctx.pathParam("level");
      if (!level.matches("0|[1-9][0-9]?")) {
        throw new IllegalArgumentException("a tile level is a decimal 0 to 63 without leading zeros: " + level);
      }
      tile = Tile.parse(Integer.parseInt(level), ctx.pathParam("index"));
    } catch (IllegalArgumentException e) {
      throw new NotFoundException("no such tile: " + e.getMessage());
    }
    long size = signed().size();
    if (tile.minimumTreeSize() > size) {
      throw new NotFoundException(tile.path() + " is not in the signed tree of " + size + " leaves");
    }
    ctx.contentType("application/octet-stream");
    ctx.header("Cache-Control", "public, max-age=31536000, immutable");
    ctx.result(log.tile(tile));
  }

  private void key(Context ctx, TransparencyLog log) {
    String origin = log.state().origin();
    NoteKey key = signer.noteKey(origin);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("origin", origin);
    answer.put("verifier_key", key.encode());
    answer.put("key_id", signer.signingKey().keyId());
    answer.put("public_key", PublicKeys.pem(signer.signingKey().publicKey()));
    Json.write(ctx, 200, answer);
  }

  private void inclusion(Context ctx) {
    TransparencyLog.State state = signed();
    List<Violation> violations = new ArrayList<>();
    long size = number(ctx, "tree_size", state.size(), 1, state.size(), violations);
    String eventId = ctx.queryParam("event_id");
    String leafIndex = ctx.queryParam("leaf_index");
    TransparencyLog.Leaf leaf = null;
    if ((eventId == null) == (leafIndex == null)) {
      violations.add(new Violation("event_id", "give event_id or leaf_index, one of them"));
    } else if (eventId != null) {
      UUID id = StrictUuid.parse(eventId).orElse(null);
      if (id == null) {
        violations.add(new Violation("event_id", "must be a UUID, was \"" + eventId + "\""));
      } else if (violations.isEmpty()) {
        leaf = log.leafOf(id).orElse(null);
        if (leaf == null) {
          ShardInclusion through = log.throughShard(id, size).orElseThrow(() -> new NotFoundException("event "
              + eventId + " is not in the log yet: it is integrated within seconds of being stored, or it does not"
              + " exist"));
          ctx.attribute(AccessAudit.RESULTS, 1);
          Json.write(ctx, 200, throughShard(through, size));
          return;
        }
      }
    } else {
      long index = number(ctx, "leaf_index", -1, 0, Long.MAX_VALUE, violations);
      if (violations.isEmpty()) {
        leaf = log.leafAt(index).orElse(null);
        if (leaf == null) {
          violations.add(new Violation("leaf_index", "must be below the tree size " + state.size()));
        }
      }
    }
    if (leaf != null && leaf.index() >= size) {
      violations.add(new Violation("tree_size", "leaf " + leaf.index() + " is not in a tree of " + size
          + " leaves; give a tree_size above " + leaf.index()));
    }
    if (!violations.isEmpty()) {
      throw RequestRefusedException.validation("invalid inclusion proof request", violations);
    }
    ctx.attribute(AccessAudit.RESULTS, 1);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("event_id", leaf.eventId().toString());
    answer.put("leaf_index", leaf.index());
    answer.put("tree_size", size);
    answer.put("leaf_hash", b64(leaf.hash()));
    answer.put("inclusion_path", log.inclusion(leaf.index(), size).stream().map(LogRoutes::b64).toList());
    // The event as its leaf hashed it, so that the answer can be checked without asking again.
    answer.put("event", log.event(leaf).map(StoredEvent::toSelfContainedJson).orElse(null));
    Json.write(ctx, 200, answer);
  }

  /**
   * An event on a shard (docs/SCALE.md): its leaf in the shard's tree of the size the root log took,
   * that checkpoint, and under {@code root} the record that made it a leaf of the root's tree of
   * {@code size} leaves — every hash a verifier recomputes, nothing to ask again.
   */
  private static Map<String, Object> throughShard(ShardInclusion through, long size) {
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("event_id", through.leaf().eventId().toString());
    answer.put("leaf_index", through.leaf().index());
    answer.put("tree_size", through.step().shardSize());
    answer.put("leaf_hash", b64(through.leaf().hash()));
    answer.put("inclusion_path", through.path().stream().map(LogRoutes::b64).toList());
    answer.put("event", through.event() == null ? null : through.event().toSelfContainedJson());
    answer.put("shard", through.step().shard());
    Map<String, Object> step = through.step().toJson(size);
    answer.put("shard_checkpoint", step.get("checkpoint"));
    answer.put("root", step.get("root"));
    return answer;
  }

  private static void consistency(Context ctx, TransparencyLog log) {
    TransparencyLog.State state = signed(log);
    List<Violation> violations = new ArrayList<>();
    long second = number(ctx, "second", state.size(), 1, state.size(), violations);
    long first = number(ctx, "first", -1, 1, second, violations);
    if (!violations.isEmpty()) {
      throw RequestRefusedException.validation("invalid consistency proof request", violations);
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("tree_size_1", first);
    answer.put("tree_size_2", second);
    answer.put("consistency_path", log.consistency(first, second).stream().map(LogRoutes::b64).toList());
    Json.write(ctx, 200, answer);
  }

  private void entries(Context ctx, TransparencyLog log) {
    TransparencyLog.State state = signed(log);
    List<Violation> violations = new ArrayList<>();
    long start = number(ctx, "start", 0, 0, Long.MAX_VALUE, violations);
    long limit = number(ctx, "limit", 100, 1, MAX_ENTRIES, violations);
    if (!violations.isEmpty()) {
      throw RequestRefusedException.validation("invalid log entries request", violations);
    }
    long end = Math.min(state.size(), start + limit);
    List<Map<String, Object>> entries = new ArrayList<>();
    AnswerBudget budget = new AnswerBudget(maxAnswerBytes);
    // Read a hundred leaves at a time, and stop at the answer budget: large events make an answer
    // of fewer entries than asked, and a reader continues after the last leaf_index it got.
    reading:
    for (long from = start; from < end; from += ENTRIES_PER_READ) {
      for (TransparencyLog.Entry e : log.entries(from, Math.min(end, from + ENTRIES_PER_READ))) {
        if (!budget.take(AnswerBudget.PER_EVENT
            + (e.event() == null ? 0 : AuditEventJson.serializedSize(e.event().event().eventData())))) {
          break reading;
        }
        entries.add(entry(e));
      }
    }
    ctx.attribute(AccessAudit.RESULTS, entries.size());
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("tree_size", state.size());
    answer.put("entries", entries);
    Json.write(ctx, 200, answer);
  }

  private static Map<String, Object> entry(TransparencyLog.Entry e) {
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("leaf_index", e.leaf().index());
    entry.put("event_id", e.leaf().eventId().toString());
    entry.put("leaf_hash", b64(e.leaf().hash()));
    entry.put("event", e.event() == null ? null : e.event().toSelfContainedJson());
    return entry;
  }

  /** A whole-number query parameter in {@code [min, max]}, or {@code absent} when not given (-1: required). */
  private static long number(Context ctx, String name, long absent, long min, long max, List<Violation> violations) {
    String text = ctx.queryParam(name);
    if (text == null) {
      if (absent < 0) {
        violations.add(new Violation(name, "is required"));
      }
      return absent;
    }
    try {
      long value = Long.parseLong(text);
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    violations.add(new Violation(name, "must be an integer from " + min + " to " + max + ", was \"" + text + "\""));
    return absent;
  }

  private static String b64(byte[] hash) {
    return Base64.getEncoder().encodeToString(hash);
  }
}
