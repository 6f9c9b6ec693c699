package dev.auditflow.server.http;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;
import dev.auditflow.server.failure.RequestRefusedException;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.Locale;

/** Reading JSON request bodies strictly, and writing JSON and problem answers. */
public final class Json {
  private static final ObjectMapper MAPPER = AuditEventJson.mapper();

  private Json() {}

  /**
   * The request body as JSON, after checking its media type and size.
   *
   * @throws RequestRefusedException 415 for a non-JSON content type, 413 above {@code maxBytes}, 400 for
   *     malformed JSON (with line and column)
   */
  public static JsonNode readBody(Context ctx, long maxBytes) {
    String type = ctx.contentType();
    String mediaType = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!mediaType.equals("application/json") && !mediaType.endsWith("+json")) {
      throw RequestRefusedException.of(
          ProblemType.UNSUPPORTED_MEDIA_TYPE,
          "Content-Type must be application/json, was " + (type == null ? "absent" : "\"" + type + "\""));
    }
    byte[] body = bytes(ctx, maxBytes);
    if (body.length == 0) {
      throw RequestRefusedException.of(ProblemType.MALFORMED_JSON, "the request body is empty");
    }
    try {
      JsonNode node = MAPPER.readTree(body);
      if (node == null || node.isMissingNode()) {
        throw RequestRefusedException.of(ProblemType.MALFORMED_JSON, "the request body is empty");
      }
      return node;
    } catch (JsonParseException e) {
      var where = e.getLocation();
      throw RequestRefusedException.of(
          ProblemType.MALFORMED_JSON,
          "malformed JSON at line " + where.getLineNr() + ", column " + where.getColumnNr() + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw RequestRefusedException.of(ProblemType.MALFORMED_JSON, "unreadable JSON: " + e.getMessage());
    }
  }

  /**
   * The request body's bytes, whatever its media type.
   *
   * @throws RequestRefusedException 413 above {@code maxBytes}
   */
  public static byte[] bytes(Context ctx, long maxBytes) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > maxBytes) {
      discard(ctx, declared);
      throw tooLarge(declared, maxBytes);
    }
    byte[] body = ctx.bodyAsBytes();
    if (body.length > maxBytes) {
      throw tooLarge(body.length, maxBytes);
    }
    return body;
  }

  /** Bodies up to this size are read and dropped before a 413, so the client can read the answer. */
  private static final long MAX_DISCARD_BYTES = 64L * 1024 * 1024;

  /**
   * Reads and drops a refused body. Answering 413 and closing while the client is still sending
   * makes many clients (the JDK's among them) report a reset instead of the 413; reading on costs
   * little up to a bound. Beyond it the connection is closed, and the client sees that.
   */
  private static void discard(Context ctx, long declared) {
    if (declared > MAX_DISCARD_BYTES) {
      return;
    }
    try {
      ctx.req().getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
    } catch (IOException e) {
      // The client went away; the 413 will not be read either way.
    }
  }

  public static RequestRefusedException tooLarge(long size, long maxBytes) {
    return RequestRefusedException.of(
        ProblemType.PAYLOAD_TOO_LARGE, "request body is " + size + " bytes; the limit is " + maxBytes + " bytes");
  }

  /** Answers with {@code body} as JSON. */
  public static void write(Context ctx, int status, Object body) {
    ctx.status(status).contentType("application/json").result(serialized(body));
  }

  /** Answers with an RFC 7807 problem. */
  public static void problem(Context ctx, Problem problem) {
    ctx.status(problem.status()).contentType(Problem.MEDIA_TYPE).result(serialized(problem));
  }

  private static byte[] serialized(Object body) {
    try {
      return MAPPER.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("response not serialisable", e);
    }
  }
}
