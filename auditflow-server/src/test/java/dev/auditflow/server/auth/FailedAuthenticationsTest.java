package dev.auditflow.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditflow.server.testing.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The per-address failure window, on a clock the test moves. */
class FailedAuthenticationsTest {
  private final ManualClock clock = new ManualClock();
  private final FailedAuthentications failures = new FailedAuthentications(3, Duration.ofMinutes(1), clock);

  @Test
  void theThirdFailureInAWindowBlocksTheAddressUntilItsWindowEnds() {
    failures.failed("10.0.0.1");
    clock.advance(Duration.ofSeconds(10));
    failures.failed("10.0.0.1");
    assertThat(failures.blockedFor("10.0.0.1")).isEmpty();
    clock.advance(Duration.ofSeconds(10));
    failures.failed("10.0.0.1");

    assertThat(failures.blockedFor("10.0.0.1")).contains(Duration.ofSeconds(40));
    clock.advance(Duration.ofSeconds(39));
    assertThat(failures.blockedFor("10.0.0.1")).contains(Duration.ofSeconds(1));
    clock.advance(Duration.ofSeconds(1));
    assertThat(failures.blockedFor("10.0.0.1")).isEmpty();
  }

  @Test
  void failuresSpreadOverSeveralWindowsNeverBlock() {
    for (int i = 0; i < 10; i++) {
      failures.failed("10.0.0.1");
      failures.failed("10.0.0.1");
      assertThat(failures.blockedFor("10.0.0.1")).isEmpty();
      clock.advance(Duration.ofMinutes(1));
    }
  }

  @Test
  void oneAddressFailingDoesNotBlockAnother() {
    for (int i = 0; i < 5; i++) {
      failures.failed("10.0.0.1");
    }
    assertThat(failures.blockedFor("10.0.0.1")).isPresent();
    assertThat(failures.blockedFor("10.0.0.2")).isEmpty();
  }

  @Test
  void retryAfterIsRoundedUpToWholeSeconds() {
    assertThat(TooManyRequestsException.failedAuthentications(Duration.ofMillis(1_001)).retryAfterSeconds()).isEqualTo(2);
    assertThat(TooManyRequestsException.failedAuthentications(Duration.ZERO).retryAfterSeconds()).isEqualTo(1);
    assertThat(TooManyRequestsException.failedAuthentications(Duration.ofSeconds(40)).retryAfterSeconds()).isEqualTo(40);
  }
}
