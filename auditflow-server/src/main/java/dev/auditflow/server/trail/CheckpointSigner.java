package dev.auditflow.server.trail;

import dev.auditflow.api.log.Checkpoint;
import dev.auditflow.api.log.NoteKey;
import dev.auditflow.api.log.SignedNote;
import dev.auditflow.server.signing.SigningKey;
import java.util.Base64;

/**
 * Signs checkpoints with the service's Ed25519 key (the one that signs exports), as a C2SP note
 * whose key name is the log's origin — so a verifier key names the log it verifies.
 */
public final class CheckpointSigner {
  private final SigningKey key;

  public CheckpointSigner(SigningKey key) {
    this.key = key;
  }

  /** The note key of the log called {@code origin}: what verifiers are given. */
  public NoteKey noteKey(String origin) {
    return NoteKey.of(origin, key.publicKey());
  }

  /** The signed note of {@code checkpoint}. */
  public String sign(Checkpoint checkpoint) {
    return SignedNote.sign(checkpoint.body(), noteKey(checkpoint.origin()),
        data -> Base64.getDecoder().decode(key.sign(data))).encode();
  }

  public SigningKey signingKey() {
    return key;
  }
}
