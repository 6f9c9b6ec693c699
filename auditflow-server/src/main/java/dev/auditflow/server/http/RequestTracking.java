package dev.auditflow.server.http;

import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line and one timer sample per request, and the in-flight count that a graceful stop
 * waits on. Once draining, new API requests are answered 503 with {@code Retry-After} — the
 * client retries them against the next instance or after the restart — while requests already
 * inside finish.
 */
public final class RequestTracking {
  private static final Logger log = LoggerFactory.getLogger("dev.auditflow.server.requests");

  private final MeterRegistry registry;
  private final String retryAfterSeconds;
  private static final String COUNTED = "auditflow.counted";
  private final InFlightRequests inFlight = new InFlightRequests();

  public RequestTracking(MeterRegistry registry, Duration retryAfter) {
    this.registry = registry;
    this.retryAfterSeconds = Long.toString(Math.max(1, retryAfter.toSeconds()));
  }

  public void install(JavalinConfig config) {
    config.routes.before(this::enter);
    config.requestLogger.http(this::done);
  }

  private void enter(Context ctx) {
    if (!inFlight.tryEnter(ctx.path().startsWith("/api/"))) {
      ctx.header("Retry-After", retryAfterSeconds);
      throw new ApiException(Problem.of(ProblemType.SERVICE_UNAVAILABLE, "the server is shutting down; retry"));
    }
    ctx.attribute(COUNTED, Boolean.TRUE);
  }

  private void done(Context ctx, Float millis) {
    if (ctx.attribute(COUNTED) != null) {
      inFlight.exit();
    }
    String route = routeOf(ctx);
    int status = ctx.statusCode();
    Timer.builder("http.server.requests")
        .tag("method", ctx.method().name())
        .tag("uri", route)
        .tag("status", Integer.toString(status))
        .register(registry)
        .record((long) (millis * 1_000_000L), TimeUnit.NANOSECONDS);
    log.info("request method={} path={} route={} status={} duration_ms={}",
        ctx.method(), ctx.path(), route, status, String.format(java.util.Locale.ROOT, "%.1f", millis));
  }

  /**
   * The matched route template, e.g. {@code /api/v1/audit/events/{event_id}}, or NOT_FOUND — the
   * HTTP endpoint's, not that of a before/after handler running at the time.
   */
  public static String routeOf(Context ctx) {
    try {
      var matched = ctx.endpoints().matchedHttpEndpoint();
      return matched == null ? "NOT_FOUND" : matched.path;
    } catch (RuntimeException e) {
      return "NOT_FOUND";
    }
  }

  public boolean draining() {
    return inFlight.draining();
  }

  /** Refuses new API requests and waits up to {@code timeout} for those in flight; true if none remain. */
  public boolean drain(Duration timeout) throws InterruptedException {
    return inFlight.drain(timeout);
  }

  public int inFlight() {
    return inFlight.count();
  }
}
