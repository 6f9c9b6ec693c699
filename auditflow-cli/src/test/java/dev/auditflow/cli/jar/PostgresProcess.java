package dev.auditflow.cli.jar;

import static org.awaitility.Awaitility.await;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * A real PostgreSQL server (the embedded binaries, {@code fsync} and {@code synchronous_commit}
 * on) on a fixed port and data directory, so it can be stopped in each of the ways PostgreSQL can
 * stop and started again on the same data: a fast shutdown ({@code pg_ctl stop -m fast}), an
 * immediate shutdown (SIGQUIT to the postmaster, which is what {@code pg_ctl -m immediate} sends:
 * no checkpoint, crash recovery at the next start), or a crash (SIGKILL of the postmaster).
 */
public final class PostgresProcess implements AutoCloseable {
  private final Path dir;
  private final int port;
  private EmbeddedPostgres pg;

  public PostgresProcess(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  public String jdbcUrl() {
    return jdbcUrl("postgres");
  }

  private String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
  }

  /** A new, empty database on this server, for one scenario; its URL. */
  public String createDatabase(String name) throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl()); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return jdbcUrl(name);
  }

  public boolean isRunning() {
    return pg != null;
  }

  /**
   * Starts on the data directory, recovering from a crash if there was one. After a crash the
   * old server's backends may hold its shared memory for a moment, so a start is retried.
   */
  public PostgresProcess start() {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
      pg = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false).setPort(port)
          .setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on")
          .setPGStartupWait(Duration.ofSeconds(60)).start();
      return true;
    });
    return this;
  }

  /** {@code pg_ctl stop -m fast}: sessions are ended, a checkpoint is written. */
  public void stopFast() throws IOException {
    pg.close();
    pg = null;
  }

  /** SIGQUIT to the postmaster: an immediate shutdown, as {@code pg_ctl stop -m immediate}. */
  public void stopImmediate() throws Exception {
    signal("QUIT");
  }

  /** SIGKILL to the postmaster: a crash. */
  public void kill() throws Exception {
    signal("KILL");
  }

  private void signal(String signal) throws Exception {
    long pid = Long.parseLong(Files.readAllLines(dir.resolve("postmaster.pid")).get(0).trim());
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
    }
    ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
    // The library's handle still holds its lock on the data directory; closing it releases the
    // lock (its attempt to stop the server, already gone, fails and is only logged).
    pg.close();
    pg = null;
  }

  @Override
  public void close() throws IOException {
    if (pg != null) {
      stopFast();
    }
  }
}
