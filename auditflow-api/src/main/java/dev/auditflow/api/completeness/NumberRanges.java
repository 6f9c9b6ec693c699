package dev.auditflow.api.completeness;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A set of sequence numbers kept as disjoint ranges, joined as numbers are added: memory grows with
 * the gaps, not with the numbers. Not thread-safe.
 */
public final class NumberRanges {
  private final TreeMap<Long, Long> ranges = new TreeMap<>();

  /** Adds {@code first..last}, joining the ranges it touches. */
  public void add(long first, long last) {
    long from = first;
    long to = last;
    Map.Entry<Long, Long> before = ranges.floorEntry(from);
    if (before != null && before.getValue() >= from - 1) {
      from = before.getKey();
      to = Math.max(to, before.getValue());
      ranges.remove(before.getKey());
    }
    Map.Entry<Long, Long> after = ranges.ceilingEntry(from);
    while (after != null && after.getKey() <= to + 1) {
      to = Math.max(to, after.getValue());
      ranges.remove(after.getKey());
      after = ranges.ceilingEntry(from);
    }
    ranges.put(from, to);
  }

  public boolean isEmpty() {
    return ranges.isEmpty();
  }

  /** The ranges, in order. */
  public List<Declaration.SeqRange> ranges() {
    List<Declaration.SeqRange> list = new ArrayList<>(ranges.size());
    ranges.forEach((first, last) -> list.add(new Declaration.SeqRange(first, last)));
    return list;
  }
}
