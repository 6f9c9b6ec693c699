package dev.auditflow.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditflow.verify.SequenceAccounts.Range;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each number counted once — stored before declared, reasons in name order — and the rest named as gaps. */
class SequenceAccountsTest {
  @Test
  void aNumberStoredAndDeclaredCountsAsStoredAndTheRestAreGaps() {
    SequenceAccounts.Summary s = SequenceAccounts.of(
        List.of(new Range(1, 3), new Range(3, 5), new Range(9, 9)),
        Map.of("outcome_unknown", List.of(new Range(5, 6)), "buffer_full", List.of(new Range(6, 7))), 12);
    assertThat(s.stored()).isEqualTo(6);
    // 5 is stored; 6 is declared twice and counts under the first reason by name; outcome_unknown keeps nothing.
    assertThat(s.declared()).containsExactly(Map.entry("buffer_full", 2L));
    assertThat(s.gaps()).containsExactly(new Range(8, 8), new Range(10, 12));
    assertThat(s.missing()).isEqualTo(4);
  }

  @Test
  void nothingPastTheEndIsAGapAndAnEmptyEpochHasNone() {
    assertThat(SequenceAccounts.of(List.of(new Range(1, 4)), Map.of(), 4).gaps()).isEmpty();
    assertThat(SequenceAccounts.of(List.of(), Map.of(), 0).gaps()).isEmpty();
    assertThat(SequenceAccounts.of(List.of(new Range(2, 2)), Map.of(), 2).gaps()).containsExactly(new Range(1, 1));
  }
}
