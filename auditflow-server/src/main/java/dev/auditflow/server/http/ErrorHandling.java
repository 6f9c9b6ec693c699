package dev.auditflow.server.http;

import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;
import dev.auditflow.server.ConflictException;
import dev.auditflow.server.NotFoundException;
import dev.auditflow.server.auth.AccessAudit;
import dev.auditflow.server.auth.AccessDeniedException;
import dev.auditflow.server.auth.AuthenticationException;
import dev.auditflow.server.auth.KubernetesAuthenticator;
import dev.auditflow.server.auth.TooManyRequestsException;
import dev.auditflow.server.db.DatabaseUnavailableException;
import dev.auditflow.server.db.OutcomeUnknownException;
import dev.auditflow.server.db.ReadersBusyException;
import dev.auditflow.server.dlq.DeadLetterQueueUnavailableException;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure into an RFC 7807 answer: the request's own problems as 4xx with the
 * offending field, an unavailable database as 503 with {@code Retry-After}, and anything else as
 * a 500 that is logged in full here and never leaks a stack trace to the caller.
 */
public final class ErrorHandling {
  private static final Logger log = LoggerFactory.getLogger(ErrorHandling.class);

  public static void install(JavalinConfig config, Duration retryAfter, ProblemVocabulary vocabulary) {
    new ErrorHandling(vocabulary).installOn(config, retryAfter);
  }

  private final ProblemVocabulary vocabulary;

  private ErrorHandling(ProblemVocabulary vocabulary) {
    this.vocabulary = vocabulary;
  }

  /** Answers with {@code problem}, worded in this server's vocabulary. */
  private void answer(Context ctx, Problem problem, ProblemReason reason) {
    Json.problem(ctx, vocabulary.word(problem, reason, ctx.method().name(), ctx.path()));
  }

  private void answer(Context ctx, Problem problem) {
    answer(ctx, problem, null);
  }

  private void installOn(JavalinConfig config, Duration retryAfter) {
    String retryAfterSeconds = Long.toString(Math.max(1, retryAfter.toSeconds()));
    config.routes.exception(ApiException.class, (e, ctx) -> answer(ctx, e.problem(), e.reason()));
    config.routes.exception(NotFoundException.class,
        (e, ctx) -> answer(ctx, Problem.of(ProblemType.NOT_FOUND, e.getMessage())));
    config.routes.exception(ConflictException.class,
        (e, ctx) -> answer(ctx, Problem.of(ProblemType.CONFLICT, e.getMessage())));
    config.routes.exception(DatabaseUnavailableException.class, (e, ctx) -> {
      log.warn("database unavailable method={} path={} error=\"{}\"", ctx.method(), ctx.path(), e.getMessage());
      ctx.header("Retry-After", retryAfterSeconds);
      answer(ctx, Problem.of(ProblemType.SERVICE_UNAVAILABLE, "the database is unavailable"
          + (ctx.method().name().equals("POST") || ctx.method().name().equals("PUT") ? "; nothing was stored" : "")
          + " — retry after " + retryAfterSeconds + " s"));
    });
    config.routes.exception(ReadersBusyException.class, (e, ctx) -> {
      log.warn("readers busy method={} path={}", ctx.method(), ctx.path());
      ctx.header("Retry-After", "1");
      answer(ctx, Problem.of(ProblemType.SERVER_BUSY, e.getMessage()));
    });
    config.routes.exception(AuthenticationException.class, (e, ctx) -> {
      // RFC 6750 §3: say it is a bearer token that is wanted; name the error only when one was sent.
      ctx.header("WWW-Authenticate", e.reason() == AuthenticationException.Reason.MISSING
          ? "Bearer realm=\"auditflow\"" : "Bearer realm=\"auditflow\", error=\"invalid_token\"");
      answer(ctx, Problem.of(ProblemType.UNAUTHORIZED, e.getMessage()));
    });
    config.routes.exception(AccessDeniedException.class,
        (e, ctx) -> answer(ctx, Problem.of(ProblemType.FORBIDDEN, e.getMessage())));
    config.routes.exception(AccessAudit.AccessNotRecordedException.class, (e, ctx) -> {
      ctx.header("Retry-After", retryAfterSeconds);
      answer(ctx, Problem.of(ProblemType.SERVICE_UNAVAILABLE, e.getMessage()));
    });
    config.routes.exception(TooManyRequestsException.class, (e, ctx) -> {
      ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
      answer(ctx, Problem.of(ProblemType.TOO_MANY_REQUESTS, e.getMessage()));
    });
    config.routes.exception(KubernetesAuthenticator.KubernetesUnavailableException.class, (e, ctx) -> {
      log.warn("kubernetes api unavailable method={} path={} error=\"{}\"", ctx.method(), ctx.path(), e.getMessage());
      ctx.header("Retry-After", retryAfterSeconds);
      answer(ctx, Problem.of(ProblemType.SERVICE_UNAVAILABLE,
          "the Kubernetes API server could not be asked who you are; retry"));
    });
    config.routes.exception(OutcomeUnknownException.class, (e, ctx) -> {
      log.warn("write outcome unknown method={} path={} error=\"{}\"", ctx.method(), ctx.path(), e.getMessage());
      ctx.header("Retry-After", retryAfterSeconds);
      answer(ctx, Problem.of(ProblemType.OUTCOME_UNKNOWN,
          "the write may or may not have been stored (the store's connection failed while committing); retrying the"
              + " same event ids is safe — stored ones are answered as duplicates"));
    });
    config.routes.exception(DeadLetterQueueUnavailableException.class, (e, ctx) -> {
      log.warn("dead-letter queue unavailable method={} path={} error=\"{}\"", ctx.method(), ctx.path(), e.getMessage());
      ctx.header("Retry-After", retryAfterSeconds);
      answer(ctx, Problem.of(ProblemType.SERVICE_UNAVAILABLE, "the dead-letter queue is unavailable: " + e.getMessage()));
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

  private static boolean isProblem(String contentType) {
    return contentType != null && contentType.startsWith(Problem.MEDIA_TYPE);
  }

  private static Problem fromStatus(int status, String message) {
    for (ProblemType type : ProblemType.values()) {
      if (type.status() == status && type != ProblemType.VALIDATION_ERROR && type != ProblemType.MALFORMED_JSON
          && type != ProblemType.OUTCOME_UNKNOWN) {
        return Problem.of(type, message);
      }
    }
    return new Problem(ProblemType.TYPE_PREFIX + "http-" + status, "HTTP " + status, status, message, null);
  }
}
