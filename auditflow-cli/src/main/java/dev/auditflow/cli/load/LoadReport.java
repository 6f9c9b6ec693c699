package dev.auditflow.cli.load;

import dev.auditflow.client.AuditStoreStats;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outcome of a load run. Two numbers must be zero: {@code lostUnreported}, events the client
 * did not report as dropped, failed or unknown and that the server does not have (or, without
 * {@code --verify}, that ended in no state at all); and {@code reportedLostButStored}, events the
 * client reported lost that the server has after all (with {@code --verify}). {@code unknown}
 * events may be either; the server has them at most once. When {@code --verify} could not count
 * (the server went away), {@code verificationError} says why and {@code stored} is null.
 */
public record LoadReport(
    long attempted,
    long acknowledged,
    long dropped,
    long failed,
    long unknown,
    Long stored,
    Long duplicates,
    Long reportedLostButStored,
    double elapsedSeconds,
    double throughputPerSecond,
    LatencySummary enqueueToAck,
    LatencySummary emitToQueryable,
    AuditStoreStats clientStats,
    String verificationError) {

  public long lostUnreported() {
    long unaccounted = attempted - acknowledged - dropped - failed - unknown;
    long ackedButMissing = stored == null ? 0 : Math.max(0, acknowledged - stored);
    return unaccounted + ackedButMissing;
  }

  /** Nothing lost without a report, and (when verified) nothing reported lost that was stored. */
  public boolean honest() {
    return lostUnreported() == 0 && (reportedLostButStored == null || reportedLostButStored == 0);
  }

  /**
   * 0: every event acknowledged (and, verified, stored exactly once); 1: some were dropped, failed or
   * ended unknown, each reported; 2: the verification could not be made; 3: dishonest accounting.
   */
  public int exitCode() {
    if (!honest()) {
      return 3;
    }
    if (verificationError != null) {
      return 2;
    }
    return dropped + failed + unknown > 0 || (duplicates != null && duplicates > 0) ? 1 : 0;
  }

  /** The machine-readable summary ({@code --json}); other tools read these keys. */
  public Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("attempted", attempted);
    json.put("acknowledged", acknowledged);
    json.put("dropped", dropped);
    json.put("failed", failed);
    json.put("unknown", unknown);
    json.put("stored", stored);
    json.put("duplicates", duplicates);
    json.put("lost_unreported", lostUnreported());
    json.put("reported_lost_but_stored", reportedLostButStored);
    json.put("verification_error", verificationError);
    json.put("elapsed_s", round(elapsedSeconds));
    json.put("throughput_per_s", round(throughputPerSecond));
    Map<String, Object> latency = new LinkedHashMap<>();
    latency.put("enqueue_to_ack", percentiles(enqueueToAck));
    latency.put("emit_to_queryable", emitToQueryable == null ? null : percentiles(emitToQueryable));
    json.put("latency_ms", latency);
    Map<String, Object> client = new LinkedHashMap<>();
    client.put("enqueued", clientStats.enqueued());
    client.put("acknowledged", clientStats.acknowledged());
    client.put("dropped", clientStats.dropped());
    client.put("failed", clientStats.failed());
    client.put("unknown", clientStats.unknown());
    client.put("invalid", clientStats.invalid());
    client.put("rejected_after_close", clientStats.rejectedAfterClose());
    json.put("client", client);
    return json;
  }

  private static Map<String, Object> percentiles(LatencySummary s) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("p50", s.p50());
    p.put("p90", s.p90());
    p.put("p99", s.p99());
    p.put("max", s.max());
    p.put("count", s.count());
    return p;
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }

  /** The human-readable summary. */
  public String toText() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(java.util.Locale.ROOT,
        "attempted      %d%nacknowledged   %d%ndropped        %d (reported to the caller)%nfailed         %d (reported to the caller)%n"
            + "unknown        %d (outcome unknown, reported to the caller)%n",
        attempted, acknowledged, dropped, failed, unknown));
    sb.append("stored         ").append(verificationError != null ? "COULD NOT BE VERIFIED: " + verificationError
        : stored == null ? "not verified (use --verify)" : stored + " (counted on the server)").append('\n');
    if (duplicates != null) {
      sb.append("duplicates     ").append(duplicates).append('\n');
    }
    sb.append("LOST UNREPORTED ").append(lostUnreported()).append('\n');
    if (reportedLostButStored != null) {
      sb.append("REPORTED LOST BUT STORED ").append(reportedLostButStored).append('\n');
    }
    sb.append(String.format(java.util.Locale.ROOT, "elapsed        %.2f s, throughput %.0f events/s%n", elapsedSeconds, throughputPerSecond));
    sb.append("enqueue->ack      ").append(enqueueToAck).append('\n');
    if (emitToQueryable != null) {
      sb.append("emit->queryable   ").append(emitToQueryable).append('\n');
    }
    sb.append("client stats   ").append(clientStats).append('\n');
    return sb.toString();
  }
}
