package dev.auditflow.server;

import java.time.Duration;

/**
 * What one client can make the service hold (docs/SECURITY.md, "Limits").
 *
 * @param headerTimeout the longest a request's line and headers may take to arrive, counted from
 *     its first byte; then the connection is closed (a client sending a header line every few
 *     seconds would otherwise hold a connection for ever: "slowloris"); default 10 s
 * @param readPoolSize database connections for reading the trail — queries, counts, exports,
 *     verification, the log's proofs — apart from the {@code poolSize} ones that writes and health
 *     use, so that no amount of reading starves them (default 4)
 * @param readsPerPrincipal the most audited requests (reads of the trail, admin calls) one principal
 *     may have running at once; one more is a 429 with {@code Retry-After} (default 8: the console
 *     alone runs a page, a count, a histogram, the live tail and health at once)
 * @param maxAnswerBytes the most a JSON answer built in memory may hold (default 16 MiB): a
 *     cursor page stops early (and says so through {@code next_cursor}), an offset page or a JSON
 *     export that would be larger is a 413 naming the remedy (a smaller {@code limit}, or the
 *     streamed NDJSON export)
 * @param maxVerifyChains the most chains one verification of a time range walks (default 1 000)
 */
public record RequestLimits(Duration headerTimeout, int readPoolSize, int readsPerPrincipal, long maxAnswerBytes,
    int maxVerifyChains) {
  public static final long DEFAULT_MAX_ANSWER_BYTES = 16L * 1024 * 1024;

  public RequestLimits {
    if (headerTimeout == null || headerTimeout.toMillis() < 100) {
      throw new IllegalArgumentException("header-timeout must be >= 100 ms, was " + headerTimeout);
    }
    if (readPoolSize < 1) {
      throw new IllegalArgumentException("read-pool-size must be >= 1, was " + readPoolSize);
    }
    if (readsPerPrincipal < 1) {
      throw new IllegalArgumentException("reads-per-principal must be >= 1, was " + readsPerPrincipal);
    }
    if (maxAnswerBytes < 1024 * 1024) {
      throw new IllegalArgumentException("max-answer-bytes must be >= 1 MiB (an event may hold 256 KiB), was "
          + maxAnswerBytes);
    }
    if (maxVerifyChains < 1) {
      throw new IllegalArgumentException("max-verify-chains must be >= 1, was " + maxVerifyChains);
    }
  }

  /** Headers within 10 s, 4 read connections, 8 reads per principal, answers up to 16 MiB, 1 000 chains per verification. */
  public static RequestLimits defaults() {
    return new RequestLimits(Duration.ofSeconds(10), 4, 8, DEFAULT_MAX_ANSWER_BYTES, 1_000);
  }

  public RequestLimits withHeaderTimeout(Duration timeout) {
    return new RequestLimits(timeout, readPoolSize, readsPerPrincipal, maxAnswerBytes, maxVerifyChains);
  }
}
