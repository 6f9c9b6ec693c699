package dev.auditflow.server.http;

import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;
import dev.auditflow.server.failure.ProblemReason;
import dev.auditflow.server.failure.ServiceException;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure into an RFC 7807 answer: the request's own problems as 4xx with the
 * offending field, an unavailable database as 503 with {@code Retry-After}, and anything else as
 * a 500 that is logged in full here and never leaks a stack trace to the caller.
 */
public final class ErrorHandling {
  private static final Logger log = LoggerFactory.getLogger(ErrorHandling.class);

  /**
   * @param protocols the paths of another protocol's endpoints (OTLP's), each with how it writes a
   *     failure: same status, same detail, in that protocol's body
   */
  public static void install(JavalinConfig config, Duration retryAfter, ProblemVocabulary vocabulary,
      Map<String, ProblemWriter> protocols) {
    new ErrorHandling(vocabulary, protocols).installOn(config, retryAfter);
  }

  /** Writes a failure as the body of an answer. */
  @FunctionalInterface
  public interface ProblemWriter {
    void write(Context ctx, Problem problem);
  }

  private final ProblemVocabulary vocabulary;
  private final Map<String, ProblemWriter> protocols;

  private ErrorHandling(ProblemVocabulary vocabulary, Map<String, ProblemWriter> protocols) {
    this.vocabulary = vocabulary;
    this.protocols = Map.copyOf(protocols);
  }

  /** Answers with {@code problem}, worded in this server's vocabulary. */
  private void answer(Context ctx, Problem problem, ProblemReason reason) {
    Problem worded = vocabulary.word(problem, reason, ctx.method().name(), ctx.path());
    protocols.getOrDefault(ctx.path(), Json::problem).write(ctx, worded);
  }

  private void answer(Context ctx, Problem problem) {
    answer(ctx, problem, null);
  }

  private void installOn(JavalinConfig config, Duration retryAfter) {
    config.routes.exception(ServiceException.class, (e, ctx) -> {
      if (e.operatorEvent() != null) {
        log.warn("{} method={} path={} error=\"{}\"", e.operatorEvent(), ctx.method(), ctx.path(), e.getMessage());
      }
      ServiceException.Answering request = new ServiceException.Answering(isStoring(ctx), retryAfter);
      e.retryAfter(request).ifPresent(delay -> ctx.header("Retry-After", Long.toString(wholeSeconds(delay))));
      e.headers().forEach(ctx::header);
      answer(ctx, e.problem(request), e.reason());
    });
    config.routes.exception(HttpResponseException.class, (e, ctx) -> answer(ctx, fromStatus(e.getStatus(), e.getMessage())));
    config.routes.exception(Exception.class, (e, ctx) -> {
      log.error("internal error method={} path={} request_id={}", ctx.method(), ctx.path(),
          RequestTracking.requestId(ctx), e);
      answer(ctx, Problem.of(ProblemType.INTERNAL_ERROR, "an internal error occurred; it has been logged"));
    });
    config.routes.error(404, ctx -> {
      if (!isProblem(ctx.res().getContentType())) {
        answer(ctx, Problem.of(ProblemType.NOT_FOUND, "no such resource: " + ctx.method() + " " + ctx.path()));
      }
    });
    config.routes.error(405, ctx -> {
      if (!isProblem(ctx.res().getContentType())) {
        answer(ctx, Problem.of(ProblemType.METHOD_NOT_ALLOWED, ctx.method() + " is not allowed on " + ctx.path()));
      }
    });
  }

  private static boolean isStoring(Context ctx) {
    return ctx.method().name().equals("POST") || ctx.method().name().equals("PUT");
  }

  /** Whole seconds, rounded up, at least 1: {@code Retry-After} has no finer unit and 0 means "now". */
  private static long wholeSeconds(Duration delay) {
    return Math.max(1, (delay.toMillis() + 999) / 1000);
  }

  private static boolean isProblem(String contentType) {
    return contentType != null && contentType.startsWith(Problem.MEDIA_TYPE);
  }

  private static Problem fromStatus(int status, String message) {
    for (ProblemType type : ProblemType.values()) {
      if (type.status() == status && type != ProblemType.VALIDATION_ERROR && type != ProblemType.MALFORMED_JSON
          && type != ProblemType.OUTCOME_UNKNOWN && type != ProblemType.QUERY_TOO_EXPENSIVE) {
        return Problem.of(type, message);
      }
    }
    return new Problem(ProblemType.TYPE_PREFIX + "http-" + status, "HTTP " + status, status, message, null);
  }
}
