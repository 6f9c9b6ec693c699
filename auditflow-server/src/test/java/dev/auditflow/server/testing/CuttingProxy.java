package dev.auditflow.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy that forwards both ways until it is armed; once armed, the first client→server
 * chunk containing the marker is forwarded <em>whole</em>, and then the answer is dropped and the
 * connection closed. The server did the work; the client never hears of it — the "response lost
 * after the request was processed" fault: an HTTP request whose answer never arrives, or a
 * PostgreSQL COMMIT that commits while its acknowledgement is lost. {@link #sever} is the other
 * fault: a partition — every connection closed, no new one taken.
 */
public final class CuttingProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final InetSocketAddress target;
  private final AtomicInteger cuts = new AtomicInteger();
  private final List<Connection> connections = new CopyOnWriteArrayList<>();
  private volatile byte[] marker;
  private volatile boolean cutEveryTime;
  private volatile boolean severed;

  public CuttingProxy(String targetHost, int targetPort) throws IOException {
    this.target = new InetSocketAddress(targetHost, targetPort);
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "cutting-proxy");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** Cuts the next connection whose request contains {@code text}, once. */
  public void cutOnce(String text) {
    cutEveryTime = false;
    marker = text.getBytes(StandardCharsets.UTF_8);
  }

  /** Cuts every connection whose request contains {@code text}, until {@link #disarm()}. */
  public void cutEveryTime(String text) {
    cutEveryTime = true;
    marker = text.getBytes(StandardCharsets.UTF_8);
  }

  public void disarm() {
    marker = null;
  }

  /** How many answers were dropped so far. */
  public int cuts() {
    return cuts.get();
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket();
        server.connect(target, 5_000);
        Connection c = new Connection(client, server);
        connections.add(c);
        if (severed) {
          // accepted just before sever() closed the listener, added after it closed the rest
          c.closeBoth();
          continue;
        }
        start(() -> c.pump(client, server, true));
        start(() -> c.pump(server, client, false));
      } catch (IOException e) {
        // listener closed, or the target refused: the client sees its connection close
      }
    }
  }

  private static void start(Runnable r) {
    Thread t = new Thread(r, "cutting-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  /** One proxied connection; {@code cut} is set once the marker went through. */
  private final class Connection {
    private final Socket client;
    private final Socket server;
    private volatile boolean cut;

    Connection(Socket client, Socket server) {
      this.client = client;
      this.server = server;
    }

    void pump(Socket from, Socket to, boolean request) {
      byte[] buffer = new byte[64 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          if (!request && cut) {
            closeBoth(); // the answer to the marked request: dropped
            return;
          }
          // Marked before it is forwarded: a fast answer must not pass before the mark is set.
          if (request && matches(buffer, n)) {
            cut = true;
            cuts.incrementAndGet();
            if (!cutEveryTime) {
              marker = null;
            }
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // one side closed
      } finally {
        closeBoth();
      }
    }

    private boolean matches(byte[] data, int length) {
      byte[] m = marker;
      if (m == null) {
        return false;
      }
      outer:
      for (int i = 0; i + m.length <= length; i++) {
        for (int j = 0; j < m.length; j++) {
          if (data[i + j] != m[j]) {
            continue outer;
          }
        }
        return true;
      }
      return false;
    }

    private void closeBoth() {
      connections.remove(this);
      try {
        client.close();
      } catch (IOException ignored) {
        // already closed
      }
      try {
        server.close();
      } catch (IOException ignored) {
        // already closed
      }
    }
  }

  /** Closes every connection and stops accepting: nothing crosses any more. */
  public void sever() throws IOException {
    severed = true;
    listener.close();
    connections.forEach(Connection::closeBoth);
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }
}
