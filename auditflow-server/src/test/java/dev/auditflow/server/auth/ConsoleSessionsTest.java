package dev.auditflow.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.auditflow.server.testing.ManualClock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Console sessions on a clock the test moves: idle and absolute ends, and the token checked again. */
class ConsoleSessionsTest {
  private final ManualClock clock = new ManualClock();
  private final Set<String> valid = new HashSet<>(Set.of("good"));
  private int checks;
  private final ConsoleSessions sessions = new ConsoleSessions(token -> {
    checks++;
    if (!valid.contains(token)) {
      throw new AuthenticationException(AuthenticationException.Reason.REVOKED);
    }
    return Principal.of("token:" + token, "token", Set.of(Role.READER));
  }, clock);

  @Test
  void aSessionLivesWhileUsedAndEndsAfterThirtyIdleMinutes() {
    ConsoleSessions.Session session = sessions.create("good");
    clock.advance(Duration.ofMinutes(29));
    assertThat(sessions.find(session.id()).principal().name()).isEqualTo("token:good");
    clock.advance(Duration.ofMinutes(29));
    assertThat(sessions.find(session.id()).expires()).isEqualTo(clock.instant().plus(Duration.ofMinutes(30)));
    clock.advance(Duration.ofMinutes(30));
    assertThatThrownBy(() -> sessions.find(session.id())).isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("session has ended");
  }

  @Test
  void noSessionOutlivesTwelveHoursHoweverBusy() {
    ConsoleSessions.Session session = sessions.create("good");
    for (int i = 0; i < 47; i++) {
      clock.advance(Duration.ofMinutes(15));
      sessions.find(session.id());
    }
    clock.advance(Duration.ofMinutes(15));
    assertThatThrownBy(() -> sessions.find(session.id())).isInstanceOf(AuthenticationException.class);
  }

  @Test
  void revokingTheTokenEndsItsSessionsWithinAMinute() {
    ConsoleSessions.Session session = sessions.create("good");
    valid.remove("good");
    clock.advance(Duration.ofSeconds(30));
    assertThat(sessions.find(session.id())).isNotNull(); // not checked again yet
    clock.advance(Duration.ofSeconds(30));
    assertThatThrownBy(() -> sessions.find(session.id())).isInstanceOf(AuthenticationException.class);
    valid.add("good");
    assertThatThrownBy(() -> sessions.find(session.id())).as("and it stays ended").isInstanceOf(AuthenticationException.class);
  }

  @Test
  void aTokenIsCheckedAtMostOncePerMinuteAndIdsAreUnguessable() {
    ConsoleSessions.Session a = sessions.create("good");
    ConsoleSessions.Session b = sessions.create("good");
    int created = checks;
    for (int i = 0; i <= 12; i++) { // uses at 0, 5, …, 60 s: the one at 60 s checks the token again
      sessions.find(a.id());
      clock.advance(Duration.ofSeconds(5));
    }
    assertThat(checks - created).isEqualTo(1);
    assertThat(a.id()).isNotEqualTo(b.id()).hasSizeGreaterThanOrEqualTo(43);
    assertThat(a.csrfToken()).isNotEqualTo(a.id()).isNotEqualTo(b.csrfToken());
    assertThat(ConsoleSessions.csrfMatches(a, a.csrfToken())).isTrue();
    assertThat(ConsoleSessions.csrfMatches(a, b.csrfToken())).isFalse();
    assertThat(ConsoleSessions.csrfMatches(a, null)).isFalse();
    assertThatThrownBy(() -> sessions.create("bad")).isInstanceOf(AuthenticationException.class);
  }

  /** Hardening finding 8: 300 sign-ins with one writer token left 300 live sessions. */
  @Test
  void oneTokenHoldsAtMostTenSessionsAndEndedOnesAreForgotten() {
    valid.add("other");
    ConsoleSessions.Session other = sessions.create("other");
    java.util.List<ConsoleSessions.Session> mine = new java.util.ArrayList<>();
    for (int i = 0; i < 300; i++) {
      mine.add(sessions.create("good"));
      clock.advance(Duration.ofSeconds(1));
    }
    assertThat(sessions.size()).isEqualTo(ConsoleSessions.PER_PRINCIPAL + 1);
    assertThat(sessions.find(mine.get(299).id()).principal().name()).isEqualTo("token:good");
    assertThatThrownBy(() -> sessions.find(mine.get(289).id())).as("the 11th most recent is gone")
        .isInstanceOf(AuthenticationException.class);
    assertThat(sessions.find(mine.get(290).id())).isNotNull();
    assertThat(sessions.find(other.id()).principal().name()).as("another principal's session stays").isEqualTo("token:other");

    clock.advance(ConsoleSessions.IDLE);
    sessions.create("other");
    assertThat(sessions.size()).as("ended sessions are forgotten at the next sign-in, presented or not").isEqualTo(1);
  }
}
