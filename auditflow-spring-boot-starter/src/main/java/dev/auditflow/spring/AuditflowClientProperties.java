package dev.auditflow.spring;

import dev.auditflow.client.OverflowPolicy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code auditflow.client.*}: the client's settings as Spring properties. Unset values keep the
 * client's defaults (README, "Using the client"); the client's builder validates them all in one place and
 * names the first bad one, so a bad value stops the application at startup.
 */
@ConfigurationProperties("auditflow.client")
public class AuditflowClientProperties {
  /** Whether to create the AuditStore bean at all. */
  private boolean enabled = true;
  /** The auditflow server's base URL, e.g. https://audit.example.com:8080. Required. */
  private URI endpoint;
  /** An API token (or JWT) sent as Authorization: Bearer. Give this or token-file. */
  private String token;
  /** A file holding the token, re-read whenever it changes (a projected Kubernetes token). */
  private Path tokenFile;
  /** A PEM file of the certificates to trust for an https endpoint (and only them). */
  private Path trustedCertificates;
  /** Most events held in memory before store() applies the overflow policy. */
  private Integer bufferSize;
  /** Most events per request. */
  private Integer batchSize;
  /** Longest an event waits in the buffer before its batch is sent. */
  private Duration flushInterval;
  /** What store() does when the buffer is full: BLOCK (up to overflow-timeout) or DROP. */
  private OverflowPolicy overflowPolicy;
  /** How long store() waits for room under BLOCK. */
  private Duration overflowTimeout;
  /** Timeout of one request to the server. */
  private Duration requestTimeout;
  /** How long a batch is retried before its events are given up as failed. */
  private Duration deliveryTimeout;
  /**
   * How long shutdown waits for the buffer to drain; keep it below
   * spring.lifecycle.timeout-per-shutdown-phase (30 s by default).
   */
  private Duration shutdownTimeout = Duration.ofSeconds(20);
  /** Names this producer in its events' producer_id (default: the host name). */
  private String serviceName;
  /** The producer id of the events' numbering (docs/COMPLETENESS.md). */
  private String producerId;
  /** Whether events are numbered so the server can prove none is missing. */
  private Boolean producerSequences;
  private final Spool spool = new Spool();
  private final Health health = new Health();

  /** A durable spool on disk (docs/COMPLETENESS.md). */
  public static class Spool {
    /** Directory of the spool; unset: no spool. */
    private Path directory;
    /** When the spool is forced to disk: "always", or an interval such as 200ms. */
    private String fsync;

    public Path getDirectory() {
      return directory;
    }

    public void setDirectory(Path directory) {
      this.directory = directory;
    }

    public String getFsync() {
      return fsync;
    }

    public void setFsync(String fsync) {
      this.fsync = fsync;
    }
  }

  /** The actuator health indicator "auditflow". */
  public static class Health {
    /** DOWN when the oldest undelivered event has waited longer than the flush interval plus this. */
    private Duration maxDeliveryLag = Duration.ofSeconds(60);

    public Duration getMaxDeliveryLag() {
      return maxDeliveryLag;
    }

    public void setMaxDeliveryLag(Duration maxDeliveryLag) {
      this.maxDeliveryLag = maxDeliveryLag;
    }
  }

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public URI getEndpoint() {
    return endpoint;
  }

  public void setEndpoint(URI endpoint) {
    this.endpoint = endpoint;
  }

  public String getToken() {
    return token;
  }

  public void setToken(String token) {
    this.token = token;
  }

  public Path getTokenFile() {
    return tokenFile;
  }

  public void setTokenFile(Path tokenFile) {
    this.tokenFile = tokenFile;
  }

  public Path getTrustedCertificates() {
    return trustedCertificates;
  }

  public void setTrustedCertificates(Path trustedCertificates) {
    this.trustedCertificates = trustedCertificates;
  }

  public Integer getBufferSize() {
    return bufferSize;
  }

  public void setBufferSize(Integer bufferSize) {
    this.bufferSize = bufferSize;
  }

  public Integer getBatchSize() {
    return batchSize;
  }

  public void setBatchSize(Integer batchSize) {
    this.batchSize = batchSize;
  }

  public Duration getFlushInterval() {
    return flushInterval;
  }

  public void setFlushInterval(Duration flushInterval) {
    this.flushInterval = flushInterval;
  }

  public OverflowPolicy getOverflowPolicy() {
    return overflowPolicy;
  }

  public void setOverflowPolicy(OverflowPolicy overflowPolicy) {
    this.overflowPolicy = overflowPolicy;
  }

  public Duration getOverflowTimeout() {
    return overflowTimeout;
  }

  public void setOverflowTimeout(Duration overflowTimeout) {
    this.overflowTimeout = overflowTimeout;
  }

  public Duration getRequestTimeout() {
    return requestTimeout;
  }

  public void setRequestTimeout(Duration requestTimeout) {
    this.requestTimeout = requestTimeout;
  }

  public Duration getDeliveryTimeout() {
    return deliveryTimeout;
  }

  public void setDeliveryTimeout(Duration deliveryTimeout) {
    this.deliveryTimeout = deliveryTimeout;
  }

  public Duration getShutdownTimeout() {
    return shutdownTimeout;
  }

  public void setShutdownTimeout(Duration shutdownTimeout) {
    this.shutdownTimeout = shutdownTimeout;
  }

  public String getServiceName() {
    return serviceName;
  }

  public void setServiceName(String serviceName) {
    this.serviceName = serviceName;
  }

  public String getProducerId() {
    return producerId;
  }

  public void setProducerId(String producerId) {
    this.producerId = producerId;
  }

  public Boolean getProducerSequences() {
    return producerSequences;
  }

  public void setProducerSequences(Boolean producerSequences) {
    this.producerSequences = producerSequences;
  }

  public Spool getSpool() {
    return spool;
  }

  public Health getHealth() {
    return health;
  }
}
