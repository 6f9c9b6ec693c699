package dev.auditflow.spring;

import dev.auditflow.client.AuditStore;
import dev.auditflow.client.AuditStoreBuilder;
import dev.auditflow.client.FsyncPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import org.springframework.boot.convert.DurationStyle;

/** The {@code auditflow.client.*} properties applied to the client's builder: each one only when set. */
final class AuditStoreFactory {
  private AuditStoreFactory() {}

  static AuditStore build(AuditflowClientProperties p, List<AuditStoreBuilderCustomizer> customizers) {
    if (p.getEndpoint() == null) {
      throw new IllegalStateException("auditflow.client.endpoint is not set: give the auditflow server's base URL,"
          + " e.g. auditflow.client.endpoint=http://localhost:8080 (or auditflow.client.enabled=false)");
    }
    // Blank is unset: application.properties can then read the token from an optional variable.
    String token = p.getToken() == null || p.getToken().isBlank() ? null : p.getToken();
    if (token != null && p.getTokenFile() != null) {
      throw new IllegalStateException("give auditflow.client.token or auditflow.client.token-file, not both");
    }
    AuditStoreBuilder b = AuditStore.builder().endpoint(p.getEndpoint());
    set(token, b::bearerToken);
    set(p.getTokenFile(), b::tokenFile);
    set(p.getTrustedCertificates(), b::trustedCertificates);
    set(p.getBufferSize(), b::bufferSize);
    set(p.getBatchSize(), b::batchSize);
    set(p.getFlushInterval(), b::flushInterval);
    set(p.getOverflowPolicy(), b::overflowPolicy);
    set(p.getOverflowTimeout(), b::overflowTimeout);
    set(p.getRequestTimeout(), b::requestTimeout);
    set(p.getDeliveryTimeout(), b::deliveryTimeout);
    set(p.getServiceName(), b::serviceName);
    set(p.getProducerId(), b::producerId);
    set(p.getProducerSequences(), b::producerSequences);
    set(p.getSpool().getDirectory(), b::spoolDirectory);
    set(Optional.ofNullable(p.getSpool().getFsync()).map(AuditStoreFactory::fsync).orElse(null), b::spoolFsync);
    customizers.forEach(c -> c.customize(b));
    return b.build();
  }

  /** {@code always}, or an interval in Spring's duration forms ({@code 200ms}, {@code PT0.2S}). */
  static FsyncPolicy fsync(String text) {
    if (text.strip().toLowerCase(Locale.ROOT).equals("always")) {
      return FsyncPolicy.always();
    }
    Duration interval;
    try {
      interval = DurationStyle.detectAndParse(text.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("auditflow.client.spool.fsync must be \"always\" or an interval such as"
          + " 200ms, was \"" + text + "\"");
    }
    return FsyncPolicy.interval(interval);
  }

  private static <T> void set(T value, Consumer<T> setter) {
    if (value != null) {
      setter.accept(value);
    }
  }
}
