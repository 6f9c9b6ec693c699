package dev.auditflow.server.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, one request per connection: the fuzzer must be able to send what
 * no well-behaved client would (raw bytes in the request target, any Content-Type, invalid UTF-8),
 * and to tell "the server answered" from "the connection was dropped".
 */
final class RawHttp {
  /** An answer: status, body (de-chunked). */
  record Response(int status, String headers, byte[] body) {
    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** The server closed or reset the connection without a complete answer. */
  static final class Dropped extends IOException {
    Dropped(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final int port;

  RawHttp(int port) {
    this.port = port;
  }

  Response send(String method, byte[] target, Map<String, String> headers, byte[] body) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(60_000);
      ByteArrayOutputStream request = new ByteArrayOutputStream();
      request.write((method + " ").getBytes(StandardCharsets.US_ASCII));
      request.write(target);
      request.write(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n".getBytes(StandardCharsets.US_ASCII));
      for (var h : headers.entrySet()) {
        request.write((h.getKey() + ": " + h.getValue() + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      }
      if (body != null) {
        request.write(("Content-Length: " + body.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      }
      request.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      if (body != null) {
        request.write(body);
      }
      try {
        OutputStream out = socket.getOutputStream();
        out.write(request.toByteArray());
        out.flush();
      } catch (IOException e) {
        // The server may answer a request it refuses at its first line and close before the
        // body is sent; what matters is whether an answer came.
      }
      byte[] raw;
      try {
        raw = socket.getInputStream().readAllBytes();
      } catch (IOException e) {
        throw new Dropped("connection failed while reading the answer: " + e, e);
      }
      return parse(raw);
    }
  }

  private static Response parse(byte[] raw) throws IOException {
    String text = new String(raw, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (!text.startsWith("HTTP/1.1 ") || end < 0) {
      throw new Dropped("no complete HTTP answer (" + raw.length + " bytes)", null);
    }
    int status = Integer.parseInt(text.substring(9, 12));
    String headers = text.substring(0, end);
    byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
    if (headers.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
      body = dechunk(body);
    }
    return new Response(status, headers, body);
  }

  private static byte[] dechunk(byte[] chunked) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InputStream in = new java.io.ByteArrayInputStream(chunked);
    try {
      while (true) {
        StringBuilder size = new StringBuilder();
        int b;
        while ((b = in.read()) != '\r') {
          if (b < 0) {
            throw new Dropped("chunked answer ends early", null);
          }
          size.append((char) b);
        }
        in.read(); // \n
        int n = Integer.parseInt(size.toString().split(";")[0].trim(), 16);
        if (n == 0) {
          return out.toByteArray();
        }
        out.write(in.readNBytes(n));
        in.read();
        in.read(); // \r\n
      }
    } catch (NumberFormatException e) {
      throw new Dropped("malformed chunked answer", e);
    }
  }
}
