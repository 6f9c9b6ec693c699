package dev.auditflow.cli;

import picocli.CommandLine.Command;

/**
 * {@code auditflow worker}: a Kafka writer (docs/SCALE.md) — {@code serve} with {@code
 * --kafka-writer} always on. It joins the writers' consumer group and stores the partitions it is
 * assigned in PostgreSQL; its HTTP port serves health, metrics (the consumer lag) and the read API
 * like any node.
 */
@Command(name = "worker", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run a Kafka writer: store the records ingest nodes appended to --kafka-topic in PostgreSQL, in order"
        + " per partition, exactly once (each partition's offset is kept in the same transaction as its rows).",
        "Takes serve's options; --kafka-bootstrap and --database-url are required in practice."})
final class WorkerCommand extends ServeCommand {
  @Override
  boolean alwaysWriter() {
    return true;
  }
}
