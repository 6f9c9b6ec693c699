package dev.auditflow.server.trail;

import dev.auditflow.api.Timestamps;
import dev.auditflow.server.signing.KnownKeys;
import dev.auditflow.verify.PublicKeys;
import dev.auditflow.server.signing.SigningKey;
import java.security.PublicKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;

/**
 * The signed purge records ({@code audit_purge_records}): written by the purge in the
 * transaction that deletes the events, and read back by chain verification to learn where a
 * chain now starts — only from records that are contiguous from position 1 and carry a valid
 * signature by a trusted key.
 */
final class PurgeRecords {
  private static final String COLUMNS = "correlation_id, purged_from, purged_through, last_purged_hash,"
      + " last_hash_algorithm, purge_id, purged_at, key_id, signature";

  private final KnownKeys keys;

  public PurgeRecords(KnownKeys keys) {
    this.keys = keys;
  }

  /** Signs and inserts a record in the caller's transaction. */
  public PurgeRecord write(Connection c, String correlationId, long from, long through, String lastHash,
      String lastAlgorithm, UUID purgeId, Instant purgedAt) throws SQLException {
    SigningKey key = keys.current();
    PurgeRecord unsigned = new PurgeRecord(correlationId, from, through, lastHash, lastAlgorithm, purgeId,
        Timestamps.normalize(purgedAt), key.keyId(), null);
    PurgeRecord record = new PurgeRecord(correlationId, from, through, lastHash, lastAlgorithm, purgeId,
        unsigned.purgedAt(), key.keyId(), key.sign(unsigned.signedBytes()));
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO audit_purge_records (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, record.correlationId());
      ps.setLong(2, record.from());
      ps.setLong(3, record.through());
      ps.setString(4, record.lastHash());
      ps.setString(5, record.lastAlgorithm());
      ps.setObject(6, record.purgeId());
      ps.setObject(7, record.purgedAt().atOffset(ZoneOffset.UTC));
      ps.setString(8, record.keyId());
      ps.setString(9, record.signature());
      ps.executeUpdate();
    }
    return record;
  }

  /** The last position purged from a chain (0 if none), as recorded — for the purge itself. */
  public static long purgedThrough(Connection c, String correlationId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT coalesce(max(purged_through), 0) FROM audit_purge_records WHERE correlation_id = ?")) {
      ps.setString(1, correlationId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /**
   * Where the chain's stored events must start, proven by its purge records.
   *
   * @throws InvalidPurgeRecordException when a record is missing from the sequence, altered, or
   *     signed by a key this server does not trust
   */
  public ChainStart start(Connection c, String correlationId) throws SQLException, InvalidPurgeRecordException {
    ChainStart start = ChainStart.GENESIS;
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
        + " FROM audit_purge_records WHERE correlation_id = ? ORDER BY purged_through")) {
      ps.setString(1, correlationId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          PurgeRecord r = read(rs);
          if (r.from() != start.purgedThrough() + 1) {
            throw new InvalidPurgeRecordException("purge records skip from position " + start.purgedThrough()
                + " to " + r.from());
          }
          Optional<PublicKey> key = keys.find(r.keyId());
          if (key.isEmpty()) {
            throw new InvalidPurgeRecordException("the purge record through position " + r.through()
                + " is signed by " + r.keyId() + ", a key this server does not trust");
          }
          if (!PublicKeys.verify(key.get(), r.signedBytes(), r.signature())) {
            throw new InvalidPurgeRecordException("the purge record through position " + r.through()
                + " does not match its signature");
          }
          start = new ChainStart(r.through(), r.lastHash(), r.lastAlgorithm());
        }
      }
    }
    return start;
  }

  private static PurgeRecord read(ResultSet rs) throws SQLException {
    return new PurgeRecord(rs.getString("correlation_id"), rs.getLong("purged_from"), rs.getLong("purged_through"),
        rs.getString("last_purged_hash"), rs.getString("last_hash_algorithm"), rs.getObject("purge_id", UUID.class),
        rs.getObject("purged_at", OffsetDateTime.class).toInstant(), rs.getString("key_id"), rs.getString("signature"));
  }
}
