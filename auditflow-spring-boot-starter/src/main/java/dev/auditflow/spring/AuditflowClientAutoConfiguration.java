package dev.auditflow.spring;

import dev.auditflow.client.AuditStore;
import dev.auditflow.client.AuditStoreConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * An {@link AuditStore} bean from {@code auditflow.client.*} (docs/SPRING_BOOT.md), closed — its
 * buffer drained — when the application stops; its meters in the application's
 * {@code MeterRegistry} when Micrometer is there; its delivery as the {@code auditflow} health
 * indicator when Spring Boot's health support is there.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration"})
@ConditionalOnClass(AuditStore.class)
@ConditionalOnProperty(prefix = "auditflow.client", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(AuditflowClientProperties.class)
public class AuditflowClientAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  public AuditStore auditStore(AuditflowClientProperties properties,
      ObjectProvider<AuditStoreBuilderCustomizer> customizers) {
    return AuditStoreFactory.build(properties, customizers.orderedStream().toList());
  }

  @Bean
  public AuditStoreLifecycle auditStoreLifecycle(AuditStore store, AuditflowClientProperties properties) {
    return new AuditStoreLifecycle(store, properties.getShutdownTimeout());
  }

  /** The client's counters and lags as meters of the application's registry. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterRegistry.class)
  static class Metrics {
    @Bean
    @ConditionalOnBean(MeterRegistry.class)
    AuditStoreBuilderCustomizer auditStoreMeterRegistry(MeterRegistry registry) {
      return builder -> builder.meterRegistry(registry);
    }
  }

  /** The client's delivery as actuator health. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  static class Health {
    @Bean(name = "auditflowHealthIndicator")
    @ConditionalOnMissingBean(name = "auditflowHealthIndicator")
    HealthIndicator auditflowHealthIndicator(AuditStore store, AuditflowClientProperties properties) {
      Duration flushInterval = properties.getFlushInterval() != null ? properties.getFlushInterval()
          : AuditStoreConfig.DEFAULTS.flushInterval();
      return new AuditStoreHealthIndicator(store, flushInterval, properties.getHealth().getMaxDeliveryLag());
    }
  }
}
