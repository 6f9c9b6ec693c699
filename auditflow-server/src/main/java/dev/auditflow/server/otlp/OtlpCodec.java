package dev.auditflow.server.otlp;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.Code;
import com.google.rpc.Status;
import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;
import dev.auditflow.server.failure.RequestRefusedException;
import dev.auditflow.server.http.Json;
import io.javalin.http.Context;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * OTLP/HTTP's two encodings (binary protobuf and JSON, either optionally gzip-compressed) in and
 * out, with the official generated classes and protobuf's own JSON mapping. An answer — success
 * or failure — is written in the encoding of the request, as OTLP/HTTP requires; a failure as a
 * {@code google.rpc.Status}.
 */
final class OtlpCodec {
  static final String PROTOBUF = "application/x-protobuf";
  static final String JSON = "application/json";

  /** Decimals kept exact through the rewrite: protobuf's parser reads them from the text. */
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN).build();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();

  /** The request's encoding. */
  enum Encoding {
    PROTOBUF_BINARY(PROTOBUF),
    JSON_TEXT(JSON);

    final String mediaType;

    Encoding(String mediaType) {
      this.mediaType = mediaType;
    }
  }

  private OtlpCodec() {}

  /** The encoding the request declares; 415 for any other. */
  static Encoding encoding(Context ctx) {
    String type = ctx.contentType();
    String media = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return switch (media) {
      case PROTOBUF -> Encoding.PROTOBUF_BINARY;
      case JSON -> Encoding.JSON_TEXT;
      default -> throw RequestRefusedException.of(ProblemType.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be "
          + PROTOBUF + " or " + JSON + " (OTLP/HTTP), was " + (type == null ? "absent" : "\"" + type + "\""));
    };
  }

  /** The encoding to answer a failure in: the request's, or binary protobuf when it declared neither. */
  static Encoding answerEncoding(Context ctx) {
    try {
      return encoding(ctx);
    } catch (RequestRefusedException e) {
      return Encoding.PROTOBUF_BINARY;
    }
  }

  /**
   * The export request in the body, decompressed if it says {@code Content-Encoding: gzip}.
   * {@code maxBytes} bounds the body as sent and as decompressed, so a small gzip bomb is a 413 too.
   */
  static ExportLogsServiceRequest decode(Context ctx, Encoding encoding, long maxBytes) {
    byte[] body = inflate(ctx, Json.bytes(ctx, maxBytes), maxBytes);
    try {
      if (encoding == Encoding.PROTOBUF_BINARY) {
        return ExportLogsServiceRequest.parseFrom(body);
      }
      ExportLogsServiceRequest.Builder request = ExportLogsServiceRequest.newBuilder();
      PARSER.merge(hexIdsAsBase64(body), request);
      return request.build();
    } catch (InvalidProtocolBufferException e) {
      throw RequestRefusedException.of(ProblemType.BAD_REQUEST,
          "the body is not an OTLP ExportLogsServiceRequest in " + encoding.mediaType + ": " + e.getMessage());
    } catch (IOException e) {
      throw RequestRefusedException.of(ProblemType.BAD_REQUEST, "the body is not JSON: " + e.getMessage());
    }
  }

  private static byte[] inflate(Context ctx, byte[] body, long maxBytes) {
    String coding = ctx.header("Content-Encoding");
    if (coding == null || coding.isBlank() || coding.equalsIgnoreCase("identity")) {
      return body;
    }
    if (!coding.trim().equalsIgnoreCase("gzip")) {
      throw RequestRefusedException.of(ProblemType.UNSUPPORTED_MEDIA_TYPE,
          "Content-Encoding must be gzip or absent, was \"" + coding + "\"");
    }
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(body.length * 4);
      byte[] buffer = new byte[8192];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        if (out.size() + (long) n > maxBytes) {
          throw RequestRefusedException.of(ProblemType.PAYLOAD_TOO_LARGE,
              "the request body decompresses to more than the limit of " + maxBytes + " bytes");
        }
        out.write(buffer, 0, n);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw RequestRefusedException.of(ProblemType.BAD_REQUEST, "the body is not valid gzip: " + e.getMessage());
    }
  }

  /**
   * OTLP/JSON writes trace and span ids as hex, where protobuf's JSON mapping expects base64 for
   * bytes: rewritten before parsing. An id that is not hex becomes a single byte, which the
   * mapping refuses for that record alone — not a 400 that would lose the whole request.
   */
  private static String hexIdsAsBase64(byte[] body) throws IOException {
    JsonNode root = MAPPER.readTree(body);
    if (root == null || !root.isObject()) {
      throw new IOException("an OTLP/JSON request is an object");
    }
    for (JsonNode resourceLogs : field(root, "resourceLogs", "resource_logs")) {
      for (JsonNode scopeLogs : field(resourceLogs, "scopeLogs", "scope_logs")) {
        for (JsonNode record : field(scopeLogs, "logRecords", "log_records")) {
          if (record instanceof ObjectNode object) {
            rewriteId(object, "traceId", "trace_id");
            rewriteId(object, "spanId", "span_id");
          }
        }
      }
    }
    return MAPPER.writeValueAsString(root);
  }

  private static JsonNode field(JsonNode node, String camel, String snake) {
    JsonNode value = node.has(camel) ? node.get(camel) : node.path(snake);
    return value.isArray() ? value : MAPPER.createArrayNode();
  }

  private static void rewriteId(ObjectNode record, String camel, String snake) {
    String name = record.has(camel) ? camel : snake;
    JsonNode id = record.get(name);
    if (id == null || !id.isTextual()) {
      return;
    }
    byte[] bytes;
    try {
      bytes = HexFormat.of().parseHex(id.textValue());
    } catch (IllegalArgumentException e) {
      bytes = new byte[1];
    }
    record.put(name, Base64.getEncoder().encodeToString(bytes));
  }

  /** A message in {@code encoding}, as the body of the answer. */
  static void answer(Context ctx, int status, Encoding encoding, Message message) {
    ctx.status(status).contentType(encoding.mediaType);
    if (encoding == Encoding.PROTOBUF_BINARY) {
      ctx.result(message.toByteArray());
      return;
    }
    try {
      ctx.result(PRINTER.print(message).getBytes(StandardCharsets.UTF_8));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("an OTLP answer always prints as JSON", e);
    }
  }

  /**
   * A failure as OTLP/HTTP answers it: the problem's HTTP status (which tells the exporter whether
   * to retry) and a {@code google.rpc.Status} carrying its detail, in the request's encoding.
   */
  static void fail(Context ctx, Problem problem) {
    Status status = Status.newBuilder().setCode(code(problem.status()).getNumber())
        .setMessage(problem.detail() == null ? problem.title() : problem.detail()).build();
    answer(ctx, problem.status(), answerEncoding(ctx), status);
  }

  private static Code code(int httpStatus) {
    return switch (httpStatus) {
      case 400, 422 -> Code.INVALID_ARGUMENT;
      case 401 -> Code.UNAUTHENTICATED;
      case 403 -> Code.PERMISSION_DENIED;
      case 404, 405, 415 -> Code.UNIMPLEMENTED;
      case 409 -> Code.ALREADY_EXISTS;
      case 413, 429 -> Code.RESOURCE_EXHAUSTED;
      case 503 -> Code.UNAVAILABLE;
      default -> Code.INTERNAL;
    };
  }
}
