package dev.auditflow.server.signing;

import dev.auditflow.server.db.Database;
import dev.auditflow.server.db.SqlFailures;
import dev.auditflow.verify.PublicKeys;
import java.security.PublicKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The keys whose signatures this server trusts: its current key and the public keys of keys it
 * replaced (given in its configuration). Deliberately not read from the database — whoever can
 * write there could add a key of their own and sign forged purge records with it. The keys are
 * written to {@code signing_keys} only as a record of which keys were used.
 */
public final class KnownKeys {
  private final SigningKey current;
  private final Map<String, PublicKey> trusted = new HashMap<>();

  private final Clock clock;

  public KnownKeys(Database database, SigningKey current, List<PublicKey> previous, Clock clock) {
    this.current = current;
    this.clock = clock;
    trusted.put(current.keyId(), current.publicKey());
    previous.forEach(k -> trusted.put(PublicKeys.keyId(k), k));
    registerIn(database);
  }

  /**
   * Registers the current key in {@code database}'s {@code signing_keys}, which the records it signs
   * there name: the trail's database, and each shard's when the trail spans several.
   */
  public void registerIn(Database database) {
    try (Connection c = database.connection(); PreparedStatement ps = c.prepareStatement(
        "INSERT INTO signing_keys (key_id, algorithm, public_key, first_used_at) VALUES (?, ?, ?, ?)"
            + " ON CONFLICT (key_id) DO NOTHING")) {
      ps.setString(1, current.keyId());
      ps.setString(2, SigningKey.ALGORITHM);
      ps.setString(3, PublicKeys.pem(current.publicKey()));
      ps.setObject(4, clock.instant().atOffset(ZoneOffset.UTC));
      ps.executeUpdate();
    } catch (SQLException e) {
      throw SqlFailures.translate("registering the signing key", e);
    }
  }

  public SigningKey current() {
    return current;
  }

  /** A trusted public key by its id. */
  public Optional<PublicKey> find(String keyId) {
    return Optional.ofNullable(trusted.get(keyId));
  }
}
