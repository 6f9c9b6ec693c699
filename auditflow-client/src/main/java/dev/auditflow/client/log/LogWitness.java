package dev.auditflow.client.log;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.Pem;
import dev.auditflow.api.log.Checkpoint;
import dev.auditflow.api.log.LogProofException;
import dev.auditflow.api.log.NoteKey;
import dev.auditflow.api.log.Witness;
import dev.auditflow.client.http.BearerToken;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes an application a witness of the server's verifiable log (docs/LOG.md): it keeps the last
 * checkpoint it accepted in a file and, at every check, accepts a newer one only if it is signed
 * by the log's key and provably extends the kept one. A log that forked, shrank or was rewritten
 * is an ERROR log line and a count in {@link #inconsistencies()} (and the metric {@code
 * auditflow.client.log.inconsistencies}) — never a silent pass; the rejected checkpoint is kept
 * next to the file as evidence, and the trusted one is not replaced.
 */
public final class LogWitness implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LogWitness.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** What one check found. */
  public enum Outcome {
    /** No checkpoint was kept yet: the server's current one is now the trusted one. */
    FIRST_TRUSTED,
    /** The server's checkpoint extends the kept one, which it now replaces. */
    CONSISTENT,
    /** The server's checkpoint does not extend the kept one, or is not signed by the key. */
    INCONSISTENT,
    /** The server or the file could not be read; nothing was concluded. */
    UNAVAILABLE
  }

  /**
   * What one check found and concluded.
   *
   * @param accepted the checkpoint now trusted (kept in the state file), or null when none was accepted
   * @param previousSize the size of the checkpoint trusted before, or -1 when there was none
   * @param reason why nothing was accepted, or null
   */
  public record Check(Outcome outcome, Checkpoint accepted, long previousSize, String reason) {}

  private final URI base;
  private final BearerToken credentials;
  private final NoteKey key;
  private final Path stateFile;
  private final Duration interval;
  /** Where the watched log's API is: the root log's, or a shard's (docs/SCALE.md). */
  private final String logPath;
  private final HttpClient http;
  private final AtomicLong inconsistencies = new AtomicLong();
  private final AtomicLong trustedSize = new AtomicLong(-1);
  private ScheduledExecutorService timer;
  private boolean unavailableReported;

  private LogWitness(Builder b) {
    this.base = URI.create(b.endpoint.toString().replaceAll("/+$", ""));
    this.logPath = b.logPath;
    this.credentials = b.credentials;
    this.key = NoteKey.parse(b.verifierKey);
    this.stateFile = b.stateFile;
    this.interval = b.interval;
    HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    if (b.trustedCertificates != null) {
      http.sslContext(Pem.trusting(b.trustedCertificates));
    }
    this.http = http.build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Checks the server's current checkpoint against the kept one, now. */
  public synchronized Check check() {
    Checkpoint trusted;
    String note;
    try {
      trusted = Files.exists(stateFile) ? Checkpoint.verified(Files.readString(stateFile, StandardCharsets.UTF_8), key)
          : null;
    } catch (IOException e) {
      return unavailable("cannot read the kept checkpoint " + stateFile + ": " + e.getMessage());
    } catch (LogProofException e) {
      return inconsistent("the kept checkpoint " + stateFile + " does not verify with the log's key: " + e.getMessage(),
          null);
    }
    try {
      note = get(logPath + "/checkpoint");
    } catch (IOException e) {
      return unavailable("cannot fetch the log's checkpoint: " + e.getMessage());
    }
    Checkpoint accepted;
    try {
      accepted = trusted == null ? Checkpoint.verified(note, key) : Witness.advance(trusted, note, key, this::consistency);
    } catch (LogProofException e) {
      return inconsistent(e.getMessage(), note);
    } catch (IOException e) {
      return unavailable("cannot fetch a consistency proof: " + e.getMessage());
    }
    try {
      Path temp = Files.createTempFile(stateFile.toAbsolutePath().getParent(), ".checkpoint", ".tmp");
      Files.writeString(temp, note, StandardCharsets.UTF_8);
      Files.move(temp, stateFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      return unavailable("cannot keep the accepted checkpoint in " + stateFile + ": " + e.getMessage());
    }
    unavailableReported = false;
    trustedSize.set(accepted.size());
    log.debug("log witnessed origin={} size={}", accepted.origin(), accepted.size());
    return trusted == null ? new Check(Outcome.FIRST_TRUSTED, accepted, -1, null)
        : new Check(Outcome.CONSISTENT, accepted, trusted.size(), null);
  }

  private Check inconsistent(String reason, String rejectedNote) {
    inconsistencies.incrementAndGet();
    String evidence = "";
    if (rejectedNote != null) {
      Path rejected = stateFile.resolveSibling(stateFile.getFileName() + ".rejected");
      try {
        Files.writeString(rejected, rejectedNote, StandardCharsets.UTF_8);
        evidence = " (the rejected checkpoint is kept in " + rejected + ")";
      } catch (IOException e) {
        evidence = " (the rejected checkpoint could not be kept: " + e.getMessage() + ")";
      }
    }
    log.error("the audit log is not consistent with the checkpoint this witness kept: {}{}; the kept checkpoint"
        + " stays trusted", reason, evidence);
    return new Check(Outcome.INCONSISTENT, null, trustedSize.get(), reason + evidence);
  }

  private Check unavailable(String reason) {
    if (!unavailableReported) {
      log.warn("log witness check not possible: {}; retrying at the next check", reason);
      unavailableReported = true;
    }
    return new Check(Outcome.UNAVAILABLE, null, trustedSize.get(), reason);
  }

  private List<byte[]> consistency(long first, long second) throws IOException {
    JsonNode answer = AuditEventJson.mapper().readTree(
        get(logPath + "/proof/consistency?first=" + first + "&second=" + second));
    List<byte[]> path = new ArrayList<>();
    answer.path("consistency_path").forEach(h -> path.add(Base64.getDecoder().decode(h.asText())));
    return path;
  }

  private String get(String path) throws IOException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT).GET();
    credentials.current().ifPresent(token -> request.header("Authorization", "Bearer " + token));
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (response.statusCode() != 200) {
      throw new IOException("GET " + path + " answered " + response.statusCode());
    }
    return response.body();
  }

  /** Checks once now and then every interval, on a daemon thread, until closed. */
  public synchronized LogWitness start() {
    if (timer == null) {
      timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "auditflow-log-witness");
        t.setDaemon(true);
        return t;
      });
      timer.scheduleWithFixedDelay(() -> check(), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }
    return this;
  }

  /** Checkpoints refused since this witness was built. */
  public long inconsistencies() {
    return inconsistencies.get();
  }

  /** The size of the checkpoint accepted last by this witness, or -1 before the first. */
  public long trustedSize() {
    return trustedSize.get();
  }

  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  /** Builds a {@link LogWitness}. */
  public static final class Builder {
    private URI endpoint;
    private BearerToken credentials = BearerToken.none();
    private Path trustedCertificates;
    private String verifierKey;
    private Path stateFile;
    private Duration interval = Duration.ofMinutes(1);
    private MeterRegistry meterRegistry;
    private String logPath = "/api/v1/log";

    private Builder() {}

    /** The server's base URL, as for the audit store. */
    public Builder endpoint(URI endpoint) {
      this.endpoint = endpoint;
      return this;
    }

    /** A token with the reader role. */
    public Builder bearerToken(String token) {
      this.credentials = BearerToken.of(token);
      return this;
    }

    /** A file holding the token, read again when it changes. */
    public Builder tokenFile(Path file) {
      this.credentials = BearerToken.fromFile(file);
      return this;
    }

    public Builder trustedCertificates(Path pemFile) {
      this.trustedCertificates = pemFile;
      return this;
    }

    /** The log's verifier key ({@code GET /api/v1/log/key}), obtained out of band: never from the log itself. */
    public Builder verifierKey(String verifierKey) {
      this.verifierKey = verifierKey;
      return this;
    }

    /** Where the accepted checkpoint is kept between checks and restarts. */
    public Builder stateFile(Path stateFile) {
      this.stateFile = stateFile;
      return this;
    }

    /**
     * Watch shard {@code name}'s own log instead of the root log the server serves, when the trail
     * spans shards (docs/SCALE.md): {@code /api/v1/log/shards/<name>}. Its verifier key is the
     * shard's ({@code GET /api/v1/log/shards/<name>/key}): the same public key under the shard's origin.
     */
    public Builder shard(String name) {
      if (!name.matches("[a-z][a-z0-9-]{0,31}")) {
        throw new IllegalArgumentException("a shard's name is a lower-case letter, then up to 31 lower-case letters,"
            + " digits or '-': was \"" + name + "\"");
      }
      this.logPath = "/api/v1/log/shards/" + name;
      return this;
    }

    /** How often {@link #start()} checks (default one minute). */
    public Builder interval(Duration interval) {
      this.interval = interval;
      return this;
    }

    /** Registers {@code auditflow.client.log.inconsistencies} and {@code auditflow.client.log.trusted.size}. */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = meterRegistry;
      return this;
    }

    /** @throws IllegalArgumentException naming the missing or invalid setting */
    public LogWitness build() {
      Objects.requireNonNull(endpoint, "endpoint");
      Objects.requireNonNull(verifierKey, "verifierKey");
      Objects.requireNonNull(stateFile, "stateFile");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("interval must be > 0, was " + interval);
      }
      LogWitness witness = new LogWitness(this);
      if (meterRegistry != null) {
        WitnessMetrics.bind(witness, meterRegistry);
      }
      return witness;
    }
  }
}
