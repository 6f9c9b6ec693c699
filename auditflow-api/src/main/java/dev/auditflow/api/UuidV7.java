package dev.auditflow.api;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Time-ordered UUIDs (RFC 9562 version 7): 48 bits of Unix milliseconds, then random bits. Ids
 * generated close in time sort close together, which keeps the primary-key index of a busy table
 * append-mostly instead of scattering inserts across it.
 *
 * <p>The random bits come from {@link ThreadLocalRandom}: ids need to be unique, not secret, and a
 * shared {@code SecureRandom} would serialise every emitting thread on one lock.
 */
public final class UuidV7 {
  private UuidV7() {}

  /** A new version 7 UUID for the current time. */
  public static UUID generate() {
    return at(System.currentTimeMillis());
  }

  static UUID at(long unixMillis) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long randA = random.nextInt(1 << 12);
    long randB = random.nextLong();
    long msb = (unixMillis << 16) | (0x7L << 12) | randA;
    long lsb = (randB & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb);
  }
}
