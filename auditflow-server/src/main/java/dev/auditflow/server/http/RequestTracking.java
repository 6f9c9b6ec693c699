package dev.auditflow.server.http;

import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;
import dev.auditflow.server.failure.RequestRefusedException;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line and one timer sample per request, each request's id, and the in-flight count that a
 * graceful stop waits on. The id is the caller's {@code X-Request-ID} when it sent a usable one
 * (so a proxy's or Kubernaut's id follows the request into this log), else a new UUID; every
 * answer carries it back, problems included. Once draining, new API requests are answered 503 with {@code Retry-After} — the
 * client retries them against the next instance or after the restart — while requests already
 * inside finish.
 */
public final class RequestTracking {
  private static final Logger log = LoggerFactory.getLogger("dev.auditflow.server.requests");

  private final MeterRegistry registry;
  private final String retryAfterSeconds;
  private static final String COUNTED = "auditflow.counted";
  public static final String REQUEST_ID_HEADER = "X-Request-ID";
  private static final String REQUEST_ID = "auditflow.request-id";
  /** Printable ASCII without spaces, as a log field can hold it unquoted and unforged. */
  private static final Pattern USABLE_REQUEST_ID = Pattern.compile("[\\x21-\\x7e]{1,128}");
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
    String sent = ctx.header(REQUEST_ID_HEADER);
    String id = sent != null && USABLE_REQUEST_ID.matcher(sent).matches() ? sent : UUID.randomUUID().toString();
    ctx.attribute(REQUEST_ID, id);
    ctx.header(REQUEST_ID_HEADER, id);
    if (!inFlight.tryEnter(ctx.path().startsWith("/api/"))) {
      ctx.header("Retry-After", retryAfterSeconds);
      throw new RequestRefusedException(Problem.of(ProblemType.SERVICE_UNAVAILABLE, "the server is shutting down; retry"));
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
    log.info("request method={} path={} route={} status={} duration_ms={} request_id={}",
        ctx.method(), ctx.path(), route, status, String.format(java.util.Locale.ROOT, "%.1f", millis), requestId(ctx));
  }

  /** This request's id, as answered in {@code X-Request-ID}; "-" before it was given one. */
  public static String requestId(Context ctx) {
    String id = ctx.attribute(REQUEST_ID);
    return id == null ? "-" : id;
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
