package dev.auditflow.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditflow.server.RequestLimits;
import dev.auditflow.server.testing.ServerFixture;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hardening finding 13: a header line every 10 s kept a connection open for 75 s and more. With a
 * header timeout of one second, raw sockets show the rule from both sides: a slow sender is cut
 * off after the timeout (not before, and within a sweep of it); a keep-alive connection that idles
 * between requests, and a request that sends its headers at once, are not.
 */
class HeaderTimeoutTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(1);

  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass(b -> b.limits(RequestLimits.defaults().withHeaderTimeout(TIMEOUT)));

  @Test
  void aRequestWhoseHeadersTrickleInIsClosedAfterTheTimeout() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", fx.server().port())) {
      socket.setSoTimeout(150);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      long started = System.nanoTime();
      out.write("GET /health/live HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.US_ASCII));
      long closedAfterMillis = -1;
      for (int line = 0; line < 40 && closedAfterMillis < 0; line++) {
        try {
          out.write(("X-Slow-" + line + ": x\r\n").getBytes(StandardCharsets.US_ASCII));
          out.flush();
          if (in.read() == -1) {
            closedAfterMillis = (System.nanoTime() - started) / 1_000_000;
          }
        } catch (SocketTimeoutException stillOpen) {
          // no answer yet: keep trickling
        } catch (java.io.IOException reset) {
          closedAfterMillis = (System.nanoTime() - started) / 1_000_000;
        }
      }
      // The timeout, plus at most one sweep (a tenth of it) and the first sweep's late start.
      assertThat(closedAfterMillis).as("closed after ms").isBetween(TIMEOUT.toMillis(), TIMEOUT.toMillis() + 700);
    }
  }

  @Test
  void keepAliveConnectionsAndPromptRequestsAreLeftAlone() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", fx.server().port())) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      for (int request = 0; request < 2; request++) {
        out.write("GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertThat(readAnswer(in)).startsWith("HTTP/1.1 200");
        Thread.sleep(TIMEOUT.toMillis() * 2); // idle between requests for twice the timeout
      }
    }
    assertThat(fx.get("/metrics").body()).contains("auditflow_http_header_timeouts_total");
  }

  /** One answer with a Content-Length body, as text. */
  private static String readAnswer(InputStream in) throws Exception {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      head.append((char) in.read());
    }
    String headers = head.toString().toLowerCase(java.util.Locale.ROOT);
    int at = headers.indexOf("content-length:");
    int length = Integer.parseInt(headers.substring(at + 15, headers.indexOf("\r\n", at)).trim());
    return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }
}
