package dev.auditflow.server.trail;

import dev.auditflow.api.Timestamps;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * A keyset position: the {@code (event_timestamp, event_id)} of the last row of a page and the
 * order it was read in. Opaque to clients (URL-safe base64); a page continues strictly after it,
 * so rows inserted meanwhile can neither repeat nor shift a page.
 */
public record Cursor(Instant timestamp, UUID eventId, boolean descending) {
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  public String encode() {
    String raw = (descending ? "d" : "a") + "|" + Timestamps.format(timestamp) + "|" + eventId;
    return ENCODER.encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  /** @throws IllegalArgumentException if the text is not a cursor this service issued */
  public static Cursor decode(String text) {
    try {
      String[] parts = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8).split("\\|");
      if (parts.length != 3 || !(parts[0].equals("a") || parts[0].equals("d"))) {
        throw new IllegalArgumentException("bad cursor");
      }
      return new Cursor(Timestamps.parse(parts[1]), UUID.fromString(parts[2]), parts[0].equals("d"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a cursor issued by this service; use next_cursor from a previous page", e);
    }
  }
}
