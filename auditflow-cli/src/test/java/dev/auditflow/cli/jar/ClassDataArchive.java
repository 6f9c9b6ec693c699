package dev.auditflow.cli.jar;

import dev.auditflow.server.testing.RedisServerProcess;
import dev.auditflow.server.testing.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

/**
 * An application class-data archive (the JDK's AppCDS) of the built jar, made once per build and
 * mapped by every JVM a suite starts from the jar. Such a JVM maps the server's classes instead of
 * reading and verifying them from the jar: {@code serve} answers {@code /health/ready} in about
 * 2.7 s instead of 4.3 s on the 2-core CI machine, and the suites start the jar some 150 times. The
 * archive changes how fast classes load, nothing of what they do; a JVM that cannot use it (a jar
 * rebuilt since) loads them from the jar as without it. Its JDK warnings are switched off so that
 * the output the suites check is the jar's own.
 *
 * <p>It is made by a {@code serve} on a fresh database, stopped by SIGTERM once ready: the JVM
 * writes the classes it loaded as it exits. Two failsafe JVMs may ask at once: a file lock beside
 * the jar lets one make it while the other waits.
 */
final class ClassDataArchive {
  private static final Duration MAKING = Duration.ofMinutes(2);
  private static List<String> options;

  private ClassDataArchive() {}

  /** The JVM options that map the archive, made first if the jar is newer; none if it cannot be made. */
  static synchronized List<String> jvmOptions(Path jar) {
    if (options == null) {
      Path archive = jar.resolveSibling("auditflow-its.jsa");
      try {
        makeIfStale(jar, archive);
        options = List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
      } catch (Exception e) {
        System.err.println("no class-data archive for " + jar + " (the jar's JVMs load their classes from it): " + e);
        options = List.of();
      }
    }
    return options;
  }

  private static void makeIfStale(Path jar, Path archive) throws Exception {
    try (FileChannel lockFile = FileChannel.open(jar.resolveSibling("auditflow-its.jsa.lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE); FileLock ignored = lockFile.lock()) {
      if (Files.isRegularFile(archive)
          && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) > 0) {
        return;
      }
      Path work = Files.createTempDirectory("auditflow-its-archive");
      Path made = jar.resolveSibling("auditflow-its.jsa.making"); // beside the archive, so the move is atomic
      String db = TestDatabase.create();
      int port = RedisServerProcess.freePort();
      String java = ProcessHandle.current().info().command().orElse("java");
      Process serve = new ProcessBuilder(java, "-Xmx256m", "-XX:ArchiveClassesAtExit=" + made, "-jar", jar.toString(),
          "serve", "--host", "127.0.0.1", "--port", Integer.toString(port), "--database-url", db)
          .directory(work.toFile()).redirectErrorStream(true).redirectOutput(work.resolve("serve.log").toFile()).start();
      try {
        JarProcess.awaitHttp200(serve, URI.create("http://127.0.0.1:" + port), "/health/ready", MAKING,
            () -> Files.readString(work.resolve("serve.log")));
      } finally {
        serve.destroy();
        serve.waitFor();
        TestDatabase.drop(db);
      }
      if (!Files.isRegularFile(made)) {
        throw new IOException("serve wrote no archive; its output: " + work.resolve("serve.log"));
      }
      Files.move(made, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
  }
}
