package dev.auditflow.spring;

import dev.auditflow.client.AuditStoreBuilder;

/**
 * Changes the builder of the {@code AuditStore} bean before it is built, after the properties are
 * applied: for what properties cannot say (a custom {@code RetryPolicy}, validation rules). Every
 * bean of this type is applied, in {@code @Order}.
 */
@FunctionalInterface
public interface AuditStoreBuilderCustomizer {
  void customize(AuditStoreBuilder builder);
}
