package dev.auditflow.client.log;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** A witness's state in Micrometer; loaded only when a registry is given, so Micrometer stays optional. */
final class WitnessMetrics {
  private WitnessMetrics() {}

  static void bind(LogWitness witness, MeterRegistry meters) {
    FunctionCounter.builder("auditflow.client.log.inconsistencies", witness, LogWitness::inconsistencies)
        .description("Checkpoints this witness refused: the log forked, shrank or was rewritten")
        .register(meters);
    Gauge.builder("auditflow.client.log.trusted.size", witness, LogWitness::trustedSize)
        .description("Tree size of the checkpoint this witness accepted last (-1 before the first)")
        .register(meters);
  }
}
