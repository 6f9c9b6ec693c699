package dev.auditflow.server.trail;

/**
 * How much of the trail one answer built in memory may carry ({@code RequestLimits.maxAnswerBytes}).
 * Pages, JSON exports and log entries are made whole before they are sent; without a budget, 200
 * events of 256 KiB were 50 MB per request, and six such requests ran the server out of memory.
 * Items are counted by their stored size plus a fixed allowance for the fields around them.
 */
public final class AnswerBudget {
  /** What an event's other fields, the server's additions and the JSON around it take at most, roughly. */
  public static final int PER_EVENT = 2_048;

  private final long maxBytes;
  private long used;

  public AnswerBudget(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** Counts {@code bytes} more if they fit; the first item always fits (one event is far below any budget). */
  public boolean take(long bytes) {
    if (used > 0 && used + bytes > maxBytes) {
      return false;
    }
    used += bytes;
    return true;
  }

  public long maxBytes() {
    return maxBytes;
  }
}
