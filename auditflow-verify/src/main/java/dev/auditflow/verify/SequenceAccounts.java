package dev.auditflow.verify;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The accounting of one producer epoch's sequence numbers (docs/COMPLETENESS.md), from the ranges
 * stored and the ranges declared per reason: each number counts once — stored before any
 * declared reason, and declared reasons in name order — and a number in {@code 1..end} that
 * nothing covers is a gap. The server keeps its accounts with it, and an auditor recomputes an
 * export's with it ({@link ExportCompleteness}).
 */
public final class SequenceAccounts {
  /** Numbers {@code first..last}, both included. */
  public record Range(long first, long last) {
    public long count() {
      return last - first + 1;
    }
  }

  /**
   * @param declared numbers declared per reason, those also stored not counted
   * @param gaps numbers in {@code 1..end} neither stored nor declared, in order
   */
  public record Summary(long stored, Map<String, Long> declared, List<Range> gaps) {
    public long missing() {
      return gaps.stream().mapToLong(Range::count).sum();
    }
  }

  private SequenceAccounts() {}

  /**
   * @param end the epoch's last number as known (its closed marker's, else the highest seen)
   */
  public static Summary of(List<Range> stored, Map<String, List<Range>> declared, long end) {
    List<Range> storedUnion = union(stored);
    List<Range> covered = new ArrayList<>(storedUnion);
    Map<String, Long> counts = new TreeMap<>();
    for (Map.Entry<String, List<Range>> reason : new TreeMap<>(declared).entrySet()) {
      List<Range> own = minus(union(reason.getValue()), union(covered));
      long n = own.stream().mapToLong(Range::count).sum();
      if (n > 0) {
        counts.put(reason.getKey(), n);
      }
      covered.addAll(own);
    }
    List<Range> gaps = new ArrayList<>();
    long next = 1;
    for (Range r : union(covered)) {
      if (r.first() > next && next <= end) {
        gaps.add(new Range(next, Math.min(r.first() - 1, end)));
      }
      next = Math.max(next, r.last() + 1);
    }
    if (next <= end) {
      gaps.add(new Range(next, end));
    }
    return new Summary(storedUnion.stream().mapToLong(Range::count).sum(), counts, gaps);
  }

  /** Disjoint, ordered ranges covering the same numbers. */
  public static List<Range> union(List<Range> ranges) {
    List<Range> sorted = new ArrayList<>(ranges);
    sorted.sort(Comparator.comparingLong(Range::first));
    List<Range> merged = new ArrayList<>();
    for (Range r : sorted) {
      Range last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (last != null && r.first() <= last.last() + 1) {
        merged.set(merged.size() - 1, new Range(last.first(), Math.max(last.last(), r.last())));
      } else {
        merged.add(r);
      }
    }
    return merged;
  }

  /** The numbers of {@code a} outside {@code b}; both disjoint and ordered. */
  private static List<Range> minus(List<Range> a, List<Range> b) {
    List<Range> out = new ArrayList<>();
    for (Range r : a) {
      long from = r.first();
      for (Range cut : b) {
        if (cut.last() < from || cut.first() > r.last()) {
          continue;
        }
        if (cut.first() > from) {
          out.add(new Range(from, cut.first() - 1));
        }
        from = Math.max(from, cut.last() + 1);
      }
      if (from <= r.last()) {
        out.add(new Range(from, r.last()));
      }
    }
    return out;
  }
}
