package dev.auditflow.api.log;

import java.util.ArrayList;
import java.util.List;

/**
 * Which tree ranges make up an RFC 9162 proof (§2.1.3.1 inclusion, §2.1.4.1 consistency), in the
 * proof's order. The log answers a proof by hashing each range from its stored nodes.
 */
public final class ProofPaths {
  private ProofPaths() {}

  /** The ranges of the inclusion proof of leaf {@code index} in the tree of {@code size} leaves. */
  public static List<TreeRange> inclusion(long index, long size) {
    if (index < 0 || index >= size) {
      throw new IllegalArgumentException("leaf " + index + " is not in a tree of " + size + " leaves");
    }
    List<TreeRange> path = new ArrayList<>();
    inclusion(index, 0, size, path);
    return path;
  }

  /** PATH(m, D[lo:hi]) of RFC 9162, deepest sibling first. */
  private static void inclusion(long m, long lo, long hi, List<TreeRange> path) {
    if (hi - lo <= 1) {
      return;
    }
    long k = largestPowerOfTwoBelow(hi - lo);
    if (m < lo + k) {
      inclusion(m, lo, lo + k, path);
      path.add(new TreeRange(lo + k, hi));
    } else {
      inclusion(m, lo + k, hi, path);
      path.add(new TreeRange(lo, lo + k));
    }
  }

  /** The ranges of the proof that the tree of {@code first} leaves is a prefix of that of {@code second}. */
  public static List<TreeRange> consistency(long first, long second) {
    if (first <= 0 || first > second) {
      throw new IllegalArgumentException("no consistency proof from size " + first + " to size " + second);
    }
    List<TreeRange> path = new ArrayList<>();
    if (first < second) {
      subproof(first, 0, second, true, path);
    }
    return path;
  }

  /** SUBPROOF(m, D[lo:hi], b) of RFC 9162, where m counts leaves from lo. */
  private static void subproof(long m, long lo, long hi, boolean whole, List<TreeRange> path) {
    long n = hi - lo;
    if (m == n) {
      if (!whole) {
        path.add(new TreeRange(lo, hi));
      }
      return;
    }
    long k = largestPowerOfTwoBelow(n);
    if (m <= k) {
      subproof(m, lo, lo + k, whole, path);
      path.add(new TreeRange(lo + k, hi));
    } else {
      subproof(m - k, lo + k, hi, false, path);
      path.add(new TreeRange(lo, lo + k));
    }
  }

  /** The largest power of two strictly less than {@code n} (n ≥ 2). */
  static long largestPowerOfTwoBelow(long n) {
    return Long.highestOneBit(n - 1);
  }
}
