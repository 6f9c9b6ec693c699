package dev.auditflow.server.otlp;

import dev.auditflow.api.ParsedEvent;
import dev.auditflow.api.Violation;
import dev.auditflow.server.failure.RequestRefusedException;
import dev.auditflow.server.ingest.IngestService;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OTLP log export requests as audit events (docs/OTLP.md): every record mapped on its own, the
 * valid ones stored together through the same intake as the REST API, each invalid one refused
 * alone. What OTLP calls a partial success: nothing lost for one bad record, nothing refused
 * without saying so — in the answer, in a WARN line and in {@code auditflow_server_events_total
 * {result="rejected"}}, because OpenTelemetry's exporters do not all read the answer of a success.
 */
public final class OtlpLogs {
  private static final Logger log = LoggerFactory.getLogger(OtlpLogs.class);

  private final IngestService ingest;

  public OtlpLogs(IngestService ingest) {
    this.ingest = ingest;
  }

  /** What became of one request: records stored (or durably accepted) and refused, with the first refusal's reason. */
  public record Exported(int accepted, int rejected, String firstProblem) {}

  /**
   * Stores the valid records of {@code request}.
   *
   * @throws RequestRefusedException 400 when no record is valid (the exporter logs why), 413 above
   *     the batch size limit
   */
  public Exported export(ExportLogsServiceRequest request, String ingestedBy) {
    List<String> positions = new ArrayList<>();
    List<ParsedEvent> candidates = new ArrayList<>();
    for (int r = 0; r < request.getResourceLogsCount(); r++) {
      ResourceLogs resourceLogs = request.getResourceLogs(r);
      for (int s = 0; s < resourceLogs.getScopeLogsCount(); s++) {
        ScopeLogs scopeLogs = resourceLogs.getScopeLogs(s);
        for (int l = 0; l < scopeLogs.getLogRecordsCount(); l++) {
          LogRecord record = scopeLogs.getLogRecords(l);
          positions.add("resource_logs[" + r + "].scope_logs[" + s + "].log_records[" + l + "]");
          candidates.add(LogRecordMapping.map(resourceLogs.getResource(), scopeLogs.getScope(), record));
        }
      }
    }
    if (candidates.isEmpty()) {
      return new Exported(0, 0, null);
    }
    IngestService.EachStored stored = ingest.storeEach(candidates, ingestedBy);
    if (stored.refused().isEmpty()) {
      return new Exported(candidates.size(), 0, null);
    }
    Map.Entry<Integer, List<Violation>> first = stored.refused().entrySet().iterator().next();
    String firstProblem = "log record " + positions.get(first.getKey()) + ": " + describe(first.getValue());
    int rejected = stored.refused().size();
    if (stored.stored() == null) {
      throw RequestRefusedException.validation("all " + rejected + " log records were refused, nothing was stored;"
          + " the first: " + firstProblem, located(stored, positions));
    }
    log.warn("otlp_records_refused principal={} refused={} of={} first=\"{}\"", ingestedBy, rejected,
        candidates.size(), firstProblem);
    return new Exported(candidates.size() - rejected, rejected,
        rejected + " of " + candidates.size() + " log records were refused; the first: " + firstProblem);
  }

  /** Violations as the sender names things: "audit.event_outcome is required; …". */
  private static String describe(List<Violation> violations) {
    return violations.stream().map(v -> LogRecordMapping.source(v.field()) + " " + v.message())
        .collect(Collectors.joining("; "));
  }

  private static List<Violation> located(IngestService.EachStored stored, List<String> positions) {
    List<Violation> all = new ArrayList<>();
    stored.refused().forEach((index, violations) -> violations.forEach(v -> all.add(
        new Violation(positions.get(index) + "." + LogRecordMapping.source(v.field()), v.message()))));
    return all;
  }
}
