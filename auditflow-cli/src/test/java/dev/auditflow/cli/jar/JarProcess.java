package dev.auditflow.cli.jar;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The built {@code auditflow.jar} run as a user runs it — {@code java -jar auditflow.jar …} in a
 * working directory of the test's choosing — with its output (stdout and stderr) in a file.
 * Nothing of the jar's classes is loaded into the test JVM: what is tested is what ships. The JVM
 * maps the suites' class-data archive of the jar ({@link ClassDataArchive}), which makes it start
 * sooner and changes nothing else.
 */
public final class JarProcess implements AutoCloseable {
  /** Set by failsafe (see auditflow-cli/pom.xml). */
  public static Path jar() {
    String path = System.getProperty("auditflow.jar");
    if (path == null) {
      throw new IllegalStateException("system property auditflow.jar is not set: run the *IT suites with failsafe"
          + " (mvn verify), after package has built the jar");
    }
    Path jar = Path.of(path);
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " does not exist: package builds it before the *IT suites run");
    }
    return jar.toAbsolutePath();
  }

  private final List<String> command;
  /** Where the jar's own arguments start in {@link #command}. */
  private final int argsFrom;
  private final Path workingDir;
  private final Path log;
  private final Map<String, String> env;
  private Process process;

  private JarProcess(List<String> args, Path workingDir, Map<String, String> env) throws IOException {
    this.workingDir = workingDir;
    this.env = env;
    this.log = Files.createTempFile("auditflow-jar", ".log");
    String java = ProcessHandle.current().info().command().orElse("java");
    command = new ArrayList<>(List.of(java, "-Xmx256m"));
    command.addAll(ClassDataArchive.jvmOptions(jar()));
    command.addAll(List.of("-jar", jar().toString()));
    argsFrom = command.size();
    command.addAll(args);
  }

  /** Prepares {@code java -jar auditflow.jar args…} in {@code workingDir}; env entries with a null value are removed. */
  public static JarProcess of(Path workingDir, Map<String, String> env, String... args) throws IOException {
    return new JarProcess(List.of(args), workingDir, env);
  }

  public static JarProcess of(Path workingDir, String... args) throws IOException {
    return of(workingDir, Map.of(), args);
  }

  /** Runs the JVM with at most {@code maxHeap} of heap (e.g. {@code "96m"}) instead of 256m. */
  public JarProcess withMaxHeap(String maxHeap) {
    command.set(1, "-Xmx" + maxHeap);
    return this;
  }

  public JarProcess start() throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(workingDir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    // A developer's own settings must not leak into the test.
    builder.environment().remove("AUDITFLOW_DATABASE_URL");
    builder.environment().remove("AUDITFLOW_REDIS_URL");
    builder.environment().remove("AUDITFLOW_KAFKA_BOOTSTRAP");
    env.forEach((k, v) -> {
      if (v == null) {
        builder.environment().remove(k);
      } else {
        builder.environment().put(k, v);
      }
    });
    process = builder.start();
    return this;
  }

  /** Runs to completion and returns the exit code; fails if it takes longer than {@code timeout}. */
  public int run(Duration timeout) throws IOException, InterruptedException {
    start();
    return finish(timeout);
  }

  /** Waits for a started process to end and returns its exit code; fails after {@code timeout}. */
  public int finish(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("auditflow " + command.subList(argsFrom, command.size()) + " did not finish within "
          + timeout + "; output:\n" + output());
    }
    return process.exitValue();
  }

  /** Waits until {@code base + path} answers 200, failing at once if the process exits. */
  public void awaitHttp200(URI base, String path, Duration timeout) {
    awaitHttp200(process, base, path, timeout, this::output);
  }

  static void awaitHttp200(Process process, URI base, String path, Duration timeout, Callable<String> output) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    await().atMost(timeout).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
      if (!process.isAlive()) {
        throw new AssertionError("auditflow exited with " + process.exitValue() + "; output:\n" + output.call());
      }
      return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
    });
  }

  /** SIGTERM, then waits for the exit; returns the exit code. */
  public int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError("auditflow did not stop within " + timeout + " of SIGTERM; output:\n" + output());
    }
    return process.exitValue();
  }

  /** SIGKILL: no shutdown hook, nothing drained — a crash. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** Everything it printed so far. */
  public String output() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  public Path logFile() {
    return log;
  }

  @Override
  public void close() throws InterruptedException {
    if (isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }
}
