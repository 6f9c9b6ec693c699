package dev.auditflow.server.auth;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The web console's server-side sessions: a signed-in browser holds only a random session id in
 * an {@code HttpOnly} cookie; the token it signed in with stays here and is checked again every
 * minute, so revoking or expiring the token ends the session too. Sessions end after 30 minutes
 * unused and 12 hours in all, and live in this instance's memory (a restart signs everyone out;
 * behind a load balancer, keep a browser on one instance).
 *
 * <p>Memory is bounded: every sign-in first forgets the sessions that have ended (not only those
 * presented again), and one principal holds at most {@value #PER_PRINCIPAL} sessions — a further
 * sign-in ends its least recently used one. (300 sign-ins with one token once left 300 sessions.)
 */
public final class ConsoleSessions {
  public static final String COOKIE = "auditflow_session";
  public static final String CSRF_HEADER = "X-CSRF-Token";
  static final Duration IDLE = Duration.ofMinutes(30);
  static final Duration ABSOLUTE = Duration.ofHours(12);
  static final Duration RECHECK = Duration.ofMinutes(1);
  static final int PER_PRINCIPAL = 10;

  /** A signed-in browser: its principal, and the token every state-changing request must echo. */
  public record Session(String id, String csrfToken, Principal principal, Instant expires) {}

  private record Entry(String token, Principal principal, String csrfToken, Instant created, Instant lastUsed,
      Instant lastChecked) {}

  private final Map<String, Entry> sessions = new ConcurrentHashMap<>();
  private final Function<String, Principal> authenticate;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  /** @param authenticate the principal of a bearer token, or throws {@link AuthenticationException} */
  ConsoleSessions(Function<String, Principal> authenticate, Clock clock) {
    this.authenticate = authenticate;
    this.clock = clock;
  }

  /** Signs in with a token: a new session for its principal. */
  public Session create(String token) {
    Principal principal = authenticate.apply(token);
    Instant now = clock.instant();
    sessions.values().removeIf(e -> hasEnded(e, now));
    List<Map.Entry<String, Entry>> own = sessions.entrySet().stream()
        .filter(e -> e.getValue().principal().name().equals(principal.name()))
        .sorted(Comparator.comparing((Map.Entry<String, Entry> e) -> e.getValue().lastUsed()))
        .toList();
    for (int i = 0; i <= own.size() - PER_PRINCIPAL; i++) {
      sessions.remove(own.get(i).getKey());
    }
    String id = randomId();
    Entry entry = new Entry(token, principal, randomId(), now, now, now);
    sessions.put(id, entry);
    return session(id, entry);
  }

  private static boolean hasEnded(Entry entry, Instant now) {
    return !now.isBefore(entry.lastUsed().plus(IDLE)) || !now.isBefore(entry.created().plus(ABSOLUTE));
  }

  /** Sessions held now, ended ones included until the next sign-in forgets them. */
  int size() {
    return sessions.size();
  }

  /**
   * The live session of this id, its token checked again if a minute has passed.
   *
   * @throws AuthenticationException when the session has ended, or its token no longer authenticates
   */
  public Session find(String id) {
    Entry entry = id == null ? null : sessions.get(id);
    Instant now = clock.instant();
    if (entry == null || hasEnded(entry, now)) {
      if (entry != null) {
        sessions.remove(id);
      }
      throw new AuthenticationException(AuthenticationException.Reason.UNKNOWN, "the console session has ended;"
          + " sign in again");
    }
    Principal principal = entry.principal();
    Instant checked = entry.lastChecked();
    if (!now.isBefore(checked.plus(RECHECK))) {
      try {
        principal = authenticate.apply(entry.token());
      } catch (AuthenticationException e) {
        sessions.remove(id);
        throw e;
      }
      checked = now;
    }
    Entry used = new Entry(entry.token(), principal, entry.csrfToken(), entry.created(), now, checked);
    sessions.put(id, used);
    return session(id, used);
  }

  /** Whether {@code presented} is the session's CSRF token (compared in constant time). */
  public static boolean csrfMatches(Session session, String presented) {
    return presented != null && MessageDigest.isEqual(session.csrfToken().getBytes(), presented.getBytes());
  }

  public void remove(String id) {
    if (id != null) {
      sessions.remove(id);
    }
  }

  private static Session session(String id, Entry entry) {
    Instant idleEnd = entry.lastUsed().plus(IDLE);
    Instant absoluteEnd = entry.created().plus(ABSOLUTE);
    return new Session(id, entry.csrfToken(), entry.principal(), idleEnd.isBefore(absoluteEnd) ? idleEnd : absoluteEnd);
  }

  private String randomId() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
