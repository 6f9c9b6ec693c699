package dev.auditflow.api.log;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A C2SP signed note: UTF-8 text ending in a newline, a blank line, then one line per signature,
 * {@code — <key name> <base64(4-byte key id || signature)>}. Ed25519 signatures cover the text
 * exactly as written, final newline included.
 */
public record SignedNote(String text, List<Line> signatures) {
  private static final String DASH = "\u2014 ";

  /** One signature line. */
  public record Line(String name, int keyId, byte[] signature) {}

  public SignedNote {
    signatures = List.copyOf(signatures);
  }

  /**
   * Signs {@code text} with {@code key}'s private half.
   *
   * @param sign the Ed25519 signature of the given bytes, by the private key of {@code key}
   */
  public static SignedNote sign(String text, NoteKey key, UnaryOperator<byte[]> sign) {
    checkText(text);
    byte[] signature = sign.apply(text.getBytes(StandardCharsets.UTF_8));
    return new SignedNote(text, List.of(new Line(key.name(), key.keyId(), signature)));
  }

  /** Reads a note; the signatures are not checked here ({@link #verify}). */
  public static SignedNote parse(String note) throws LogProofException {
    int split = note.lastIndexOf("\n\n");
    if (split < 0 || !note.endsWith("\n")) {
      throw new LogProofException("not a signed note: no blank line before the signatures, or no final newline");
    }
    String text = note.substring(0, split + 1);
    List<Line> lines = new ArrayList<>();
    for (String line : note.substring(split + 2, note.length() - 1).split("\n", -1)) {
      lines.add(parseLine(line));
    }
    try {
      checkText(text);
    } catch (IllegalArgumentException e) {
      throw new LogProofException(e.getMessage());
    }
    return new SignedNote(text, lines);
  }

  private static Line parseLine(String line) throws LogProofException {
    String[] parts = line.startsWith(DASH) ? line.substring(DASH.length()).split(" ", -1) : new String[0];
    if (parts.length != 2 || !NoteKey.validName(parts[0])) {
      throw new LogProofException("not a signature line: " + line);
    }
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(parts[1]);
    } catch (IllegalArgumentException e) {
      throw new LogProofException("a signature line's signature is not base64: " + line);
    }
    if (decoded.length < 5) {
      throw new LogProofException("a signature line too short to hold a key id and a signature: " + line);
    }
    return new Line(parts[0], ByteBuffer.wrap(decoded).getInt(), Arrays.copyOfRange(decoded, 4, decoded.length));
  }

  /** Passes when a signature by {@code key} is present and valid. Signatures by other keys are ignored. */
  public void verify(NoteKey key) throws LogProofException {
    boolean named = false;
    for (Line line : signatures) {
      if (line.name().equals(key.name()) && line.keyId() == key.keyId()) {
        named = true;
        if (valid(key, line.signature())) {
          return;
        }
      }
    }
    throw new LogProofException(named ? "the note's signature by " + key.name() + " does not verify: the note was"
        + " altered or not signed by that key" : "the note carries no signature by the key " + key.encode());
  }

  private boolean valid(NoteKey key, byte[] signature) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(key.publicKey());
      s.update(text.getBytes(StandardCharsets.UTF_8));
      return s.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** The note as served and stored: text, blank line, signature lines. */
  public String encode() {
    StringBuilder out = new StringBuilder(text).append('\n');
    for (Line line : signatures) {
      byte[] bytes = ByteBuffer.allocate(4 + line.signature().length).putInt(line.keyId()).put(line.signature()).array();
      out.append(DASH).append(line.name()).append(' ').append(Base64.getEncoder().encodeToString(bytes)).append('\n');
    }
    return out.toString();
  }

  private static void checkText(String text) {
    if (!text.endsWith("\n") || text.contains("\n\n") || text.startsWith("\n")) {
      throw new IllegalArgumentException("a note's text is lines ending in a newline, none of them empty");
    }
    if (text.chars().anyMatch(c -> c < 0x20 && c != '\n')) {
      throw new IllegalArgumentException("a note's text holds no control characters but newlines");
    }
  }
}
