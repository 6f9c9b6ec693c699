package dev.auditflow.client;

import dev.auditflow.api.Pem;
import dev.auditflow.api.UuidV7;
import dev.auditflow.api.ValidationRules;
import dev.auditflow.client.http.BearerToken;
import dev.auditflow.client.http.HttpBatchTransport;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Configures and builds an {@link AuditStore}. Unset values take the defaults of {@link
 * AuditStoreConfig#DEFAULTS}; {@link #build()} rejects invalid combinations with a message that
 * names the setting. Exactly one of {@link #endpoint(URI)} and {@link #transport(BatchTransport)}
 * is required.
 */
public final class AuditStoreBuilder {
  private int bufferSize = AuditStoreConfig.DEFAULTS.bufferSize();
  private int batchSize = AuditStoreConfig.DEFAULTS.batchSize();
  private Duration flushInterval = AuditStoreConfig.DEFAULTS.flushInterval();
  private OverflowPolicy overflowPolicy = AuditStoreConfig.DEFAULTS.overflowPolicy();
  private Duration overflowTimeout = AuditStoreConfig.DEFAULTS.overflowTimeout();
  private Duration requestTimeout = AuditStoreConfig.DEFAULTS.requestTimeout();
  private Duration deliveryTimeout = AuditStoreConfig.DEFAULTS.deliveryTimeout();
  private RetryPolicy retryPolicy = AuditStoreConfig.DEFAULTS.retryPolicy();
  private int maxInFlightBatches = AuditStoreConfig.DEFAULTS.maxInFlightBatches();
  private Duration slowWriteThreshold = AuditStoreConfig.DEFAULTS.slowWriteThreshold();
  private Duration schedulerDriftThreshold = AuditStoreConfig.DEFAULTS.schedulerDriftThreshold();
  private Duration closeTimeout = AuditStoreConfig.DEFAULTS.closeTimeout();
  private Duration outcomeResolutionTimeout = AuditStoreConfig.DEFAULTS.outcomeResolutionTimeout();
  private URI endpoint;
  private BatchTransport transport;
  private MeterRegistry meterRegistry;
  private ValidationRules validationRules = ValidationRules.defaults();
  private Duration shutdownHookTimeout;
  private BearerToken credentials = BearerToken.none();
  private Path trustedCertificates;
  private StoreRuntime runtime;
  private String serviceName = DEFAULT_SERVICE_NAME;
  private String producerId;
  private boolean producerSequences = true;
  private Path spoolDirectory;
  private FsyncPolicy spoolFsync = FsyncPolicy.always();

  /** The service name of the default producer id, {@code <service>@<host>}. */
  public static final String DEFAULT_SERVICE_NAME = "auditflow-client";

  AuditStoreBuilder() {}

  /** The auditflow server's base URL, e.g. {@code http://localhost:8080}. */
  public AuditStoreBuilder endpoint(URI endpoint) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    return this;
  }

  /** Sends this token as {@code Authorization: Bearer …} (an auditflow API token, or a JWT). */
  public AuditStoreBuilder bearerToken(String token) {
    this.credentials = BearerToken.of(token);
    return this;
  }

  /**
   * Sends the token held in this file, read again whenever the file changes — as Kubernetes
   * rotates a projected service-account token.
   */
  public AuditStoreBuilder tokenFile(Path file) {
    this.credentials = BearerToken.fromFile(file);
    return this;
  }

  /** Trusts the certificates in this PEM file (and only them) for an {@code https} endpoint. */
  public AuditStoreBuilder trustedCertificates(Path pemFile) {
    this.trustedCertificates = Objects.requireNonNull(pemFile, "pemFile");
    return this;
  }

  /** A custom transport instead of HTTP to {@link #endpoint(URI)}; the store closes it. */
  public AuditStoreBuilder transport(BatchTransport transport) {
    this.transport = Objects.requireNonNull(transport, "transport");
    return this;
  }

  public AuditStoreBuilder bufferSize(int bufferSize) {
    this.bufferSize = bufferSize;
    return this;
  }

  public AuditStoreBuilder batchSize(int batchSize) {
    this.batchSize = batchSize;
    return this;
  }

  public AuditStoreBuilder flushInterval(Duration flushInterval) {
    this.flushInterval = flushInterval;
    return this;
  }

  public AuditStoreBuilder overflowPolicy(OverflowPolicy overflowPolicy) {
    this.overflowPolicy = overflowPolicy;
    return this;
  }

  public AuditStoreBuilder overflowTimeout(Duration overflowTimeout) {
    this.overflowTimeout = overflowTimeout;
    return this;
  }

  public AuditStoreBuilder requestTimeout(Duration requestTimeout) {
    this.requestTimeout = requestTimeout;
    return this;
  }

  public AuditStoreBuilder deliveryTimeout(Duration deliveryTimeout) {
    this.deliveryTimeout = deliveryTimeout;
    return this;
  }

  public AuditStoreBuilder retryPolicy(RetryPolicy retryPolicy) {
    this.retryPolicy = retryPolicy;
    return this;
  }

  public AuditStoreBuilder maxInFlightBatches(int maxInFlightBatches) {
    this.maxInFlightBatches = maxInFlightBatches;
    return this;
  }

  public AuditStoreBuilder slowWriteThreshold(Duration slowWriteThreshold) {
    this.slowWriteThreshold = slowWriteThreshold;
    return this;
  }

  public AuditStoreBuilder schedulerDriftThreshold(Duration schedulerDriftThreshold) {
    this.schedulerDriftThreshold = schedulerDriftThreshold;
    return this;
  }

  public AuditStoreBuilder closeTimeout(Duration closeTimeout) {
    this.closeTimeout = closeTimeout;
    return this;
  }

  /**
   * How long to keep re-sending a batch whose delivery ended after an attempt that may have
   * stored it, to learn whether it did (see {@link AuditStoreConfig#outcomeResolutionTimeout()}).
   */
  public AuditStoreBuilder outcomeResolutionTimeout(Duration outcomeResolutionTimeout) {
    this.outcomeResolutionTimeout = outcomeResolutionTimeout;
    return this;
  }

  /** Exports the store's metrics (see the README's metrics table) to this registry. */
  public AuditStoreBuilder meterRegistry(MeterRegistry meterRegistry) {
    this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
    return this;
  }

  /** The timestamp window events are checked against before buffering; match the server's. */
  public AuditStoreBuilder validationRules(ValidationRules validationRules) {
    this.validationRules = Objects.requireNonNull(validationRules, "validationRules");
    return this;
  }

  /**
   * Closes the store from a JVM shutdown hook, waiting at most {@code timeout}, so events
   * buffered when the process is asked to stop (SIGTERM) are still delivered.
   */
  public AuditStoreBuilder closeOnShutdown(Duration timeout) {
    this.shutdownHookTimeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /** Runs the store on this runtime instead of its own threads (tests: fake time). */
  /**
   * The name of the service this store audits for; with the host's name it makes the default
   * producer id, {@code <service>@<host>} (docs/COMPLETENESS.md). Default {@value
   * #DEFAULT_SERVICE_NAME}.
   */
  public AuditStoreBuilder serviceName(String serviceName) {
    this.serviceName = Objects.requireNonNull(serviceName, "serviceName");
    return this;
  }

  /**
   * The producer id the store numbers its events under; stable across restarts, unique per
   * producing process. Default {@code <serviceName>@<host name>}. At most 200 characters.
   */
  public AuditStoreBuilder producerId(String producerId) {
    this.producerId = Objects.requireNonNull(producerId, "producerId");
    return this;
  }

  /**
   * Whether events are numbered in a producer sequence and what the store gives up on is
   * declared to the server (default on; docs/COMPLETENESS.md). Off, the server cannot tell a
   * lost event from one never emitted.
   */
  public AuditStoreBuilder producerSequences(boolean on) {
    this.producerSequences = on;
    return this;
  }

  /**
   * Keeps every accepted event in a spool on disk until the server has it (docs/COMPLETENESS.md):
   * a store that crashes loses nothing it accepted; the next store on the same directory resumes
   * its epoch and sends what was left. One process per directory. Off by default.
   */
  public AuditStoreBuilder spoolDirectory(Path directory) {
    this.spoolDirectory = Objects.requireNonNull(directory, "directory");
    return this;
  }

  /** When the spool is forced to disk (default {@link FsyncPolicy#always()}). */
  public AuditStoreBuilder spoolFsync(FsyncPolicy policy) {
    this.spoolFsync = Objects.requireNonNull(policy, "policy");
    return this;
  }

  /** The producer id this builder gives a store: the one set, or {@code <serviceName>@<host>}. */
  String effectiveProducerId() {
    String id = producerId != null ? producerId : serviceName + "@" + hostName();
    if (id.isBlank() || id.length() > dev.auditflow.api.EventValidator.MAX_PRODUCER_ID) {
      throw new IllegalArgumentException("producerId must be 1 to " + dev.auditflow.api.EventValidator.MAX_PRODUCER_ID
          + " characters, was \"" + id + "\"");
    }
    return id;
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      String env = System.getenv("HOSTNAME");
      return env == null || env.isBlank() ? "unknown-host" : env;
    }
  }

  AuditStoreBuilder runtime(StoreRuntime runtime) {
    this.runtime = runtime;
    return this;
  }

  /** The validated configuration these settings make. */
  public AuditStoreConfig config() {
    return new AuditStoreConfig(
        bufferSize,
        batchSize,
        flushInterval,
        overflowPolicy,
        overflowTimeout,
        requestTimeout,
        deliveryTimeout,
        retryPolicy,
        maxInFlightBatches,
        slowWriteThreshold,
        schedulerDriftThreshold,
        closeTimeout,
        outcomeResolutionTimeout);
  }

  /**
   * Validates the configuration and starts the store's threads.
   *
   * @throws IllegalArgumentException naming the first invalid setting
   * @throws IllegalStateException if neither or both of endpoint and transport are set
   */
  public AuditStore build() {
    AuditStoreConfig config = config();
    if ((endpoint == null) == (transport == null)) {
      throw new IllegalStateException("set exactly one of endpoint(URI) and transport(BatchTransport)");
    }
    if (transport != null && (trustedCertificates != null || credentials.current().isPresent())) {
      throw new IllegalStateException("credentials and trusted certificates are for the HTTP transport; a custom"
          + " transport brings its own");
    }
    BatchTransport effective = transport != null ? transport : new HttpBatchTransport(endpoint, credentials,
        trustedCertificates == null ? null : Pem.trusting(trustedCertificates));
    MicrometerStoreMetrics micrometer = meterRegistry == null ? null : new MicrometerStoreMetrics(meterRegistry);
    StoreRuntime threads = runtime != null ? runtime : StoreRuntime.threads(config.maxInFlightBatches());
    if (spoolDirectory != null && !producerSequences) {
      throw new IllegalStateException("a spool numbers what it keeps: spoolDirectory needs producerSequences on");
    }
    Spool spool = null;
    if (spoolDirectory != null) {
      try {
        spool = Spool.open(spoolDirectory, effectiveProducerId(), spoolFsync);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("cannot open the spool " + spoolDirectory, e);
      }
    }
    Sequencer sequencer = producerSequences && spool == null ? new Sequencer(effectiveProducerId(), UuidV7.generate())
        : null;
    BufferedAuditStore store = new BufferedAuditStore(config, effective, validationRules,
        micrometer == null ? StoreMetrics.NONE : micrometer, threads, sequencer, spool);
    if (micrometer != null) {
      micrometer.bindTo(store);
    }
    store.start();
    if (shutdownHookTimeout != null) {
      store.closeOnShutdown(shutdownHookTimeout);
    }
    return store;
  }
}
