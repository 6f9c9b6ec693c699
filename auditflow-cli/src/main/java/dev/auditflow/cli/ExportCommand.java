package dev.auditflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEventJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code auditflow export --out FILE}: streams a signed NDJSON export to a file (auditor), in
 * constant memory, and checks that it arrived whole (its last line is the signed trailer).
 */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Export events as a signed NDJSON file, verifiable offline with verify-export. Exit 0 written,"
        + " 2 failed (the file is not left behind).")
final class ExportCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  ConnectionOptions connection;

  @Option(names = "--out", required = true, description = "The file to write.")
  Path out;

  @Option(names = "--start-time", description = "Events from this time (RFC 3339 or e.g. 7d), inclusive.")
  String startTime;

  @Option(names = "--end-time", description = "Events up to this time, inclusive.")
  String endTime;

  @Option(names = "--correlation-id", description = "Only this correlation.")
  String correlationId;

  @Option(names = "--event-category", description = "Only this category.")
  String eventCategory;

  @Option(names = "--redact-pii", description = "Mask e-mail addresses, IP addresses and phone numbers (after verification).")
  boolean redactPii;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    Map<String, String> query = new LinkedHashMap<>();
    query.put("format", "ndjson");
    put(query, "start_time", startTime);
    put(query, "end_time", endTime);
    put(query, "correlation_id", correlationId);
    put(query, "event_category", eventCategory);
    if (redactPii) {
      query.put("redact_pii", "true");
    }
    StringBuilder path = new StringBuilder("/api/v1/audit/export");
    char separator = '?';
    for (Map.Entry<String, String> e : query.entrySet()) {
      path.append(separator).append(e.getKey()).append('=').append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
      separator = '&';
    }
    Path target = out.toAbsolutePath();
    Path partial = target.resolveSibling(target.getFileName() + ".partial");
    ApiClient client = connection.client(err);
    try {
      HttpResponse<Path> r = client.download(path.toString(), partial, Duration.ofHours(6));
      if (r.statusCode() != 200) {
        String body = Files.readString(partial);
        Files.deleteIfExists(partial);
        throw Failures.refused("export", r, body);
      }
      JsonNode trailer = lastLine(partial).map(this::parse).orElse(null);
      if (trailer == null || !trailer.has("manifest")) {
        Files.deleteIfExists(partial);
        throw new CliFailure("export failed: the answer ended before its signed trailer; nothing was kept",
            "the server's log says why; run the export again");
      }
      Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      JsonNode manifest = trailer.get("manifest");
      err.println("exported " + manifest.path("events").asLong() + " events in " + manifest.path("chains").asLong()
          + " chains to " + target + " (content sha256 " + manifest.path("content_sha256").asText() + ", signed by "
          + manifest.path("key_id").asText() + ")");
      return 0;
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(partial);
      if (e instanceof IOException io) {
        throw new CliFailure("export failed: cannot write " + partial + ": " + io.getMessage(), null, io);
      }
      throw e;
    }
  }

  private static void put(Map<String, String> query, String name, String value) {
    if (value != null && !value.isBlank()) {
      query.put(name, value);
    }
  }

  private JsonNode parse(String line) {
    try {
      return AuditEventJson.mapper().readTree(line);
    } catch (IOException e) {
      return null;
    }
  }

  /** The file's last line, read from its end (the file may be far larger than memory). */
  static Optional<String> lastLine(Path file) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long end = f.length();
      if (end == 0) {
        return Optional.empty();
      }
      long pos = end - 1;
      f.seek(pos);
      if (f.read() == '\n') {
        end = pos;
      }
      long start = end;
      while (start > 0) {
        f.seek(start - 1);
        if (f.read() == '\n') {
          break;
        }
        start--;
      }
      byte[] line = new byte[(int) (end - start)];
      f.seek(start);
      f.readFully(line);
      return Optional.of(new String(line, StandardCharsets.UTF_8));
    }
  }
}
