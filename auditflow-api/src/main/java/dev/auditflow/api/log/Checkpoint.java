package dev.auditflow.api.log;

import java.util.Base64;

/**
 * A tree head in the C2SP {@code tlog-checkpoint} form: the note text {@code <origin>\n<tree
 * size>\n<base64 root hash>\n}. The origin names the log, so a checkpoint of one log is never
 * taken for another's.
 */
public record Checkpoint(String origin, long size, byte[] rootHash) {
  public Checkpoint {
    if (origin.isEmpty() || origin.contains("\n")) {
      throw new IllegalArgumentException("a checkpoint origin is one non-empty line");
    }
    if (size < 0 || rootHash.length != MerkleHashes.SIZE) {
      throw new IllegalArgumentException("a checkpoint has a size ≥ 0 and a 32-byte root");
    }
    rootHash = rootHash.clone();
  }

  @Override
  public byte[] rootHash() {
    return rootHash.clone();
  }

  /** The note text this checkpoint is signed as. */
  public String body() {
    return origin + "\n" + size + "\n" + Base64.getEncoder().encodeToString(rootHash) + "\n";
  }

  /** Reads a checkpoint from a signed note's text; extension lines after the root are allowed and ignored. */
  public static Checkpoint parse(String text) throws LogProofException {
    String[] lines = text.split("\n", -1);
    if (lines.length < 4 || !lines[lines.length - 1].isEmpty()) {
      throw new LogProofException("not a checkpoint: expected origin, size and root hash lines");
    }
    try {
      long size = Long.parseLong(lines[1]);
      if (size < 0 || !lines[1].equals(Long.toString(size))) {
        throw new NumberFormatException(lines[1]);
      }
      return new Checkpoint(lines[0], size, Base64.getDecoder().decode(lines[2]));
    } catch (IllegalArgumentException e) {
      throw new LogProofException("not a checkpoint: " + e.getMessage());
    }
  }

  /** The checkpoint of a signed note, once its signature by {@code key} is verified. */
  public static Checkpoint verified(String note, NoteKey key) throws LogProofException {
    SignedNote signed = SignedNote.parse(note);
    signed.verify(key);
    Checkpoint checkpoint = parse(signed.text());
    if (!checkpoint.origin().equals(key.name())) {
      throw new LogProofException("the checkpoint's origin " + checkpoint.origin() + " is not the key's log "
          + key.name());
    }
    return checkpoint;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Checkpoint c && c.origin.equals(origin) && c.size == size
        && java.util.Arrays.equals(c.rootHash, rootHash);
  }

  @Override
  public int hashCode() {
    return origin.hashCode() * 31 + Long.hashCode(size);
  }

  @Override
  public String toString() {
    return "Checkpoint[" + origin + ", size " + size + ", root " + Base64.getEncoder().encodeToString(rootHash) + "]";
  }
}
