package dev.auditflow.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * The id of an event that arrives without one (Kubernaut's services send none), derived from its
 * content so that every retry of the same event gets the same id — and is stored once. Without
 * it, a client that retries after a lost answer would store the event twice.
 *
 * <p>The id is an RFC 9562 version 8 UUID laid out like version 7: 48 bits of the event
 * timestamp's Unix milliseconds (so ids stay time-ordered, as the primary-key index likes), then
 * 74 bits of the SHA-256 of the event's canonical JSON (every field but {@code event_id}).
 *
 * <p>Identical events in one request are not retries of each other — the sender put each there —
 * so the second and later ones get ids of their own ({@link #derive(AuditEvent, int)}); a retry of
 * the whole request numbers them the same way and is recognised again.
 *
 * <p>The trade-off: two events identical in every field — same timestamp (to the microsecond;
 * Kubernaut's to the second), same actor, resource, correlation and {@code event_data} — sent in
 * separate requests are one event. A producer that can emit such twins one request at a time and
 * needs both kept must send its own {@code event_id}s.
 */
public final class StableEventIds {
  private static final ObjectMapper WRITER =
      JsonMapper.builder().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN).build();

  private StableEventIds() {}

  /** The id derived from {@code event}'s content; its own {@code event_id} is ignored. */
  public static UUID derive(AuditEvent event) {
    return derive(event, 0);
  }

  /**
   * The id of the {@code occurrence}-th (from 0) of identical events in one request. Occurrence 0
   * is {@link #derive(AuditEvent)}; later ones hash {@code "#<occurrence>"} after the content.
   */
  public static UUID derive(AuditEvent event, int occurrence) {
    ObjectNode json = (ObjectNode) AuditEventJson.toTree(event);
    json.remove("event_id");
    byte[] digest;
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      sha256.update(WRITER.writeValueAsBytes(CanonicalJson.normalize(json)));
      if (occurrence > 0) {
        sha256.update(("#" + occurrence).getBytes(StandardCharsets.US_ASCII));
      }
      digest = sha256.digest();
    } catch (NoSuchAlgorithmException | JsonProcessingException e) {
      throw new IllegalStateException("SHA-256 and JSON writing are always available", e);
    }
    ByteBuffer hash = ByteBuffer.wrap(digest);
    long millis = event.eventTimestamp().toEpochMilli();
    long msb = (millis << 16) | (0x8L << 12) | (hash.getShort(0) & 0x0FFFL);
    long lsb = (hash.getLong(2) & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb);
  }
}
