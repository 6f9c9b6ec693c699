package dev.auditflow.server.otlp;

import dev.auditflow.api.Problem;
import dev.auditflow.server.auth.AuthFilter;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;

/**
 * {@code POST /v1/logs}: OTLP/HTTP logs, as OpenTelemetry's exporters send them to a collector
 * (docs/OTLP.md). 200 with an {@code ExportLogsServiceResponse} — its {@code partial_success}
 * set when some records were refused — in the request's encoding; a failure as OTLP/HTTP answers
 * one ({@link #fail}).
 */
public final class OtlpRoutes {
  public static final String LOGS = "/v1/logs";

  private final OtlpLogs logs;
  private final long maxBodyBytes;

  public OtlpRoutes(OtlpLogs logs, long maxBodyBytes) {
    this.logs = logs;
    this.maxBodyBytes = maxBodyBytes;
  }

  public void register(JavalinConfig config) {
    config.routes.post(LOGS, this::export);
  }

  private void export(Context ctx) {
    OtlpCodec.Encoding encoding = OtlpCodec.encoding(ctx);
    ExportLogsServiceRequest request = OtlpCodec.decode(ctx, encoding, maxBodyBytes);
    OtlpLogs.Exported exported = logs.export(request, AuthFilter.principal(ctx).name());
    ExportLogsServiceResponse.Builder answer = ExportLogsServiceResponse.newBuilder();
    if (exported.rejected() > 0) {
      answer.setPartialSuccess(ExportLogsPartialSuccess.newBuilder()
          .setRejectedLogRecords(exported.rejected()).setErrorMessage(exported.firstProblem()));
    }
    OtlpCodec.answer(ctx, 200, encoding, answer.build());
  }

  /** A failure on this endpoint: its HTTP status and a {@code google.rpc.Status}, as OTLP/HTTP requires. */
  public static void fail(Context ctx, Problem problem) {
    OtlpCodec.fail(ctx, problem);
  }
}
