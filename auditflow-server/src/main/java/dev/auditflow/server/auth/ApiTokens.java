package dev.auditflow.server.auth;

import dev.auditflow.api.UuidV7;
import dev.auditflow.server.failure.ConflictException;
import dev.auditflow.server.db.Database;
import dev.auditflow.server.db.SqlFailures;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * API tokens for deployments without Kubernetes: {@code af_} followed by 256 random bits
 * (base64url). Only the SHA-256 of a token is stored; the token is shown once, when created. A
 * token authenticates as the principal {@code token:<name>} with the roles it was given, until it
 * expires or is revoked; no two tokens that are not revoked share a name (V10).
 *
 * <p>Tokens are checked against an in-memory copy of the table, reloaded every {@value
 * #RELOAD_SECONDS} s: authentication must keep working while PostgreSQL is down, or the
 * dead-letter queue could take no events exactly when it is needed. A token created or revoked
 * through another server instance is seen within that time (at once if unknown here: a miss
 * asks the database).
 */
public final class ApiTokens implements Authenticator {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ApiTokens.class);
  static final String PREFIX = "af_";
  private static final Duration LAST_USED_RESOLUTION = Duration.ofMinutes(1);
  static final long RELOAD_SECONDS = 30;
  private static final String COLUMNS =
      "token_id, name, roles, created_by, created_at, expires_at, revoked_at, last_used_at";

  /** A token as listed: everything but the secret, which is never stored. */
  public record Token(UUID id, String name, Set<Role> roles, String createdBy, Instant createdAt, Instant expiresAt,
      Instant revokedAt, Instant lastUsedAt) {}

  /** A newly created token and its secret, to be shown once. */
  public record Issued(Token token, String secret) {}

  private final Database database;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  /** When each token's last_used_at was last written: at most once a minute, not once per request. */
  private final Map<UUID, Instant> lastUsedWritten = new ConcurrentHashMap<>();
  /** Token hash → token, as last read from the database. */
  private volatile Map<String, Token> byHash = Map.of();
  private volatile Instant loadedAt = Instant.MIN;
  private final ReentrantLock reloading = new ReentrantLock();

  public ApiTokens(Database database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  /** @param validity how long the token is valid, or null for no expiry */
  public Issued create(String name, Set<Role> roles, Duration validity, String createdBy) {
    byte[] secretBytes = new byte[32];
    random.nextBytes(secretBytes);
    String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
    Instant now = clock.instant();
    Token token = new Token(UuidV7.generate(), name, EnumSet.copyOf(roles), createdBy, now,
        validity == null ? null : now.plus(validity), null, null);
    try (Connection c = database.connection(); PreparedStatement ps = c.prepareStatement(
        "INSERT INTO api_tokens (token_id, name, token_hash, roles, created_by, created_at, expires_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      ps.setObject(1, token.id());
      ps.setString(2, name);
      ps.setString(3, hash(secret));
      ps.setArray(4, roles(c, token.roles()));
      ps.setString(5, createdBy);
      ps.setObject(6, utc(now));
      ps.setObject(7, utc(token.expiresAt()));
      ps.executeUpdate();
    } catch (SQLException e) {
      if ("23505".equals(e.getSQLState())) {
        throw new ConflictException("a token named " + name + " exists and is not revoked: revoke it first, or choose"
            + " another name (token:" + name + " must name one principal)");
      }
      throw SqlFailures.translate("creating a token", e);
    }
    remember(hash(secret), token);
    return new Issued(token, secret);
  }

  public List<Token> list() {
    List<Token> tokens = new ArrayList<>();
    try (Connection c = database.connection();
        PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM api_tokens ORDER BY created_at, token_id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        tokens.add(read(rs));
      }
    } catch (SQLException e) {
      throw SqlFailures.translate("listing tokens", e);
    }
    return tokens;
  }

  /** Revokes a token; empty if there is no such token. Revoking twice keeps the first time. */
  public Optional<Token> revoke(UUID id) {
    try (Connection c = database.connection(); PreparedStatement ps = c.prepareStatement(
        "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE token_id = ? RETURNING " + COLUMNS
            + ", token_hash")) {
      ps.setObject(1, utc(clock.instant()));
      ps.setObject(2, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        Token revoked = read(rs);
        remember(rs.getString("token_hash"), revoked); // effective here at once
        return Optional.of(revoked);
      }
    } catch (SQLException e) {
      throw SqlFailures.translate("revoking a token", e);
    }
  }

  /** True when at least one token exists, revoked or not (then no first admin token is made). */
  public boolean anyExist() {
    try (Connection c = database.connection();
        PreparedStatement ps = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM api_tokens)");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getBoolean(1);
    } catch (SQLException e) {
      throw SqlFailures.translate("looking for tokens", e);
    }
  }

  /**
   * Only the token's SHA-256 is ever compared or looked up (in memory, or by the database's
   * index). Timing can then tell a guesser at most how much of a hash matched, which brings no
   * token closer: finding a token for a given hash prefix is a preimage search over 256 random bits.
   */
  @Override
  public Optional<Principal> authenticate(String bearerToken) {
    if (!bearerToken.startsWith(PREFIX)) {
      return Optional.empty();
    }
    String hash = hash(bearerToken);
    reloadIfStale();
    Token token = byHash.get(hash);
    if (token == null) {
      token = lookUp(hash).orElseThrow(() -> new AuthenticationException(AuthenticationException.Reason.UNKNOWN));
    }
    Instant now = clock.instant();
    if (token.revokedAt() != null) {
      throw new AuthenticationException(AuthenticationException.Reason.REVOKED, "token " + token.name());
    }
    if (token.expiresAt() != null && !now.isBefore(token.expiresAt())) {
      throw new AuthenticationException(AuthenticationException.Reason.EXPIRED, "token " + token.name());
    }
    noteUse(token.id(), now);
    return Optional.of(Principal.of("token:" + token.name(), "token", token.roles()));
  }

  /** One token by hash, from the database (a token made on another instance since the last reload). */
  private Optional<Token> lookUp(String hash) {
    try (Connection c = database.connection(); PreparedStatement ps = c.prepareStatement(
        "SELECT " + COLUMNS + ", token_hash FROM api_tokens WHERE token_hash = ?")) {
      ps.setString(1, hash);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        Token token = read(rs);
        remember(hash, token);
        return Optional.of(token);
      }
    } catch (SQLException e) {
      throw SqlFailures.translate("checking a token", e);
    }
  }

  private void remember(String hash, Token token) {
    Map<String, Token> copy = new HashMap<>(byHash);
    copy.put(hash, token);
    byHash = Map.copyOf(copy);
  }

  /** Reloads every token when the copy is older than the reload interval; keeps the old copy if the database is down. */
  private void reloadIfStale() {
    Instant now = clock.instant();
    if (Duration.between(loadedAt, now).getSeconds() < RELOAD_SECONDS || !reloading.tryLock()) {
      return;
    }
    try {
      Map<String, Token> fresh = new java.util.HashMap<>();
      try (Connection c = database.connection();
          PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + ", token_hash FROM api_tokens");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          fresh.put(rs.getString("token_hash"), read(rs));
        }
      }
      byHash = Map.copyOf(fresh);
    } catch (SQLException | RuntimeException e) {
      // The database is down: authenticate with what we have, and try again after the interval.
      log.info("api tokens not reloaded; using the copy from {} error=\"{}\"", loadedAt, e.getMessage());
    } finally {
      loadedAt = now;
      reloading.unlock();
    }
  }

  private void noteUse(UUID id, Instant now) {
    Instant written = lastUsedWritten.get(id);
    if (written != null && Duration.between(written, now).compareTo(LAST_USED_RESOLUTION) < 0) {
      return;
    }
    lastUsedWritten.put(id, now);
    try (Connection c = database.connection();
        PreparedStatement ps = c.prepareStatement("UPDATE api_tokens SET last_used_at = ? WHERE token_id = ?")) {
      ps.setObject(1, utc(now));
      ps.setObject(2, id);
      ps.executeUpdate();
    } catch (SQLException | RuntimeException e) {
      // Bookkeeping only: a database that is down must not fail the request (it may be headed for the DLQ).
      log.debug("last_used_at not written token_id={} error=\"{}\"", id, e.getMessage());
    }
  }

  static String hash(String secret) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  private static Array roles(Connection c, Set<Role> roles) throws SQLException {
    return c.createArrayOf("text", roles.stream().map(Role::wireName).toArray());
  }

  private static Token read(ResultSet rs) throws SQLException {
    EnumSet<Role> roles = EnumSet.noneOf(Role.class);
    for (Object r : (Object[]) rs.getArray("roles").getArray()) {
      Role.fromWireName((String) r).ifPresent(roles::add);
    }
    return new Token(rs.getObject("token_id", UUID.class), rs.getString("name"), roles, rs.getString("created_by"),
        instant(rs, "created_at"), instant(rs, "expires_at"), instant(rs, "revoked_at"), instant(rs, "last_used_at"));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }
}
