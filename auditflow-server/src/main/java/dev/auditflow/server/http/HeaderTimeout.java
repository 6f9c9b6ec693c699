package dev.auditflow.server.http;

import io.javalin.config.JavalinConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.component.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection whose request line and headers take longer than the timeout to arrive.
 * Jetty's idle timeout restarts with every byte, so a client sending one header line every ten
 * seconds ("slowloris") held a connection — and its buffers and a slot of the accept queue — for
 * as long as it liked. The clock starts when a sweep first sees the connection inside a request's
 * headers (its parser past the start of a request, before the body) and stops when the headers
 * are complete; a connection idle between keep-alive requests, or busy with a body or a long
 * answer, is not affected.
 */
public final class HeaderTimeout implements Connection.Listener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HeaderTimeout.class);

  /** When a connection was first seen inside the headers of its {@code messagesIn}-th request. */
  private record InHeaders(long messagesIn, long sinceNanos) {}

  private static final InHeaders BETWEEN_REQUESTS = new InHeaders(-1, 0);

  private final long timeoutNanos;
  private final LongSupplier nanoTime;
  private final Counter closed;
  private final Map<HttpConnection, InHeaders> open = new ConcurrentHashMap<>();
  private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "auditflow-header-timeout");
    t.setDaemon(true);
    return t;
  });

  /**
   * @param nanoTime the clock sweeps measure with (monotonic)
   * @param sweepEvery how often open connections are looked at; a slow sender is closed between
   *     the timeout and the timeout plus this
   */
  HeaderTimeout(Duration timeout, LongSupplier nanoTime, Duration sweepEvery, MeterRegistry registry) {
    this.timeoutNanos = timeout.toNanos();
    this.nanoTime = nanoTime;
    this.closed = Counter.builder("auditflow.http.header.timeouts")
        .description("Connections closed because a request's headers did not arrive in time").register(registry);
    if (!sweepEvery.isZero()) {
      sweeper.scheduleWithFixedDelay(this::sweep, sweepEvery.toMillis(), sweepEvery.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Watches every connection of the server being configured, sweeping a tenth of the timeout
   * apart (at most a second).
   */
  public static HeaderTimeout install(JavalinConfig config, Duration timeout, MeterRegistry registry) {
    Duration sweepEvery = timeout.dividedBy(10).compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1)
        : timeout.dividedBy(10);
    HeaderTimeout headerTimeout = new HeaderTimeout(timeout, System::nanoTime, sweepEvery, registry);
    config.jetty.modifyServer(server -> server.addEventListener(new LifeCycle.Listener() {
      @Override
      public void lifeCycleStarting(LifeCycle starting) {
        // The connectors exist by now: the TLS one added by our code, the plain one by Javalin.
        for (var connector : server.getConnectors()) {
          if (connector instanceof AbstractConnector c) {
            c.addEventListener(headerTimeout);
          }
        }
      }
    }));
    return headerTimeout;
  }

  @Override
  public void onOpened(Connection connection) {
    if (connection instanceof HttpConnection http) {
      open.put(http, BETWEEN_REQUESTS);
    }
  }

  @Override
  public void onClosed(Connection connection) {
    open.remove(connection);
  }

  /** Looks at every open connection once; closes those past the timeout inside one request's headers. */
  int sweep() {
    long now = nanoTime.getAsLong();
    int closedNow = 0;
    for (var entry : open.entrySet()) {
      HttpConnection connection = entry.getKey();
      HttpParser parser = connection.getParser();
      if (parser.isStart() || !parser.inHeaderState()) {
        entry.setValue(BETWEEN_REQUESTS);
        continue;
      }
      long request = connection.getMessagesIn();
      InHeaders seen = entry.getValue();
      if (seen.messagesIn() != request) {
        entry.setValue(new InHeaders(request, now));
      } else if (now - seen.sinceNanos() >= timeoutNanos) {
        open.remove(connection);
        closed.increment();
        closedNow++;
        log.debug("closing a connection whose request headers did not arrive within {} ms remote={}",
            TimeUnit.NANOSECONDS.toMillis(timeoutNanos), connection.getEndPoint().getRemoteSocketAddress());
        connection.getEndPoint().close();
      }
    }
    return closedNow;
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
  }
}
