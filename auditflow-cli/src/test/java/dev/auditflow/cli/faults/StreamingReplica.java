package dev.auditflow.cli.faults;

import static org.awaitility.Awaitility.await;

import dev.auditflow.cli.jar.PostgresProcess;
import dev.auditflow.server.testing.CuttingProxy;
import dev.auditflow.server.testing.RedisServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;

/**
 * A real PostgreSQL streaming replica of a {@link PostgresProcess}, made as PostgreSQL documents a
 * low-level base backup ({@code pg_backup_start}, a copy of the data directory,
 * {@code pg_backup_stop}'s label) — the embedded binaries have no {@code pg_basebackup} — and fed
 * through a physical replication slot across a {@link CuttingProxy}, so the test can cut it off
 * from its primary and let it lag. Named {@code replica} to its primary, which can then name it in
 * {@code synchronous_standby_names}.
 */
final class StreamingReplica implements AutoCloseable {
  static final String NAME = "replica";
  /** What a base backup leaves out: the server's own runtime files, its WAL (streamed instead), its slots. */
  private static final Set<String> NOT_COPIED = Set.of("postmaster.pid", "postmaster.opts");
  private static final Set<String> EMPTIED = Set.of("pg_wal", "pg_replslot", "pg_stat_tmp");

  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

  private final PostgresProcess primary;
  private final PostgresProcess server;
  private final CuttingProxy link;
  private final int port;

  private StreamingReplica(PostgresProcess primary, PostgresProcess server, CuttingProxy link, int port) {
    this.primary = primary;
    this.server = server;
    this.link = link;
    this.port = port;
  }

  /** Takes a base backup of {@code primary} into {@code dir} and starts it as its hot standby. */
  static StreamingReplica of(PostgresProcess primary, Path primaryDir, int primaryPort, Path dir) throws Exception {
    CuttingProxy link = new CuttingProxy("127.0.0.1", primaryPort);
    try (Connection c = DriverManager.getConnection(primary.jdbcUrl()); Statement s = c.createStatement()) {
      s.execute("SELECT pg_create_physical_replication_slot('" + NAME + "', true)");
      s.execute("SELECT pg_backup_start('" + NAME + "', true)");
      copy(primaryDir, dir);
      String label;
      try (ResultSet rs = s.executeQuery("SELECT labelfile FROM pg_backup_stop(false)")) {
        rs.next();
        label = rs.getString(1);
      }
      Files.writeString(dir.resolve("backup_label"), label);
    }
    Files.writeString(dir.resolve("standby.signal"), "");
    Files.writeString(dir.resolve("postgresql.auto.conf"), "primary_conninfo = 'host=127.0.0.1 port=" + link.port()
        + " user=postgres application_name=" + NAME + "'\nprimary_slot_name = '" + NAME + "'\n",
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    int port = RedisServerProcess.freePort();
    PostgresProcess server = new PostgresProcess(dir, port).start();
    StreamingReplica replica = new StreamingReplica(primary, server, link, port);
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> replica.streaming(primary));
    return replica;
  }

  /** Whether the primary sees this standby streaming. */
  private boolean streaming(PostgresProcess primary) throws SQLException {
    try (Connection c = DriverManager.getConnection(primary.jdbcUrl()); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_replication WHERE application_name = '" + NAME
            + "' AND state = 'streaming'")) {
      return rs.next() && rs.getLong(1) == 1;
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.walkFileTree(from, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        // PostgreSQL refuses a data directory others may read (0700, or 0750 with group access).
        Files.createDirectories(to.resolve(from.relativize(dir).toString()), OWNER_ONLY);
        Path relative = from.relativize(dir);
        if (relative.getNameCount() == 1 && EMPTIED.contains(relative.toString())) {
          if (relative.toString().equals("pg_wal")) {
            Files.createDirectories(to.resolve("pg_wal/archive_status"), OWNER_ONLY);
          }
          return FileVisitResult.SKIP_SUBTREE;
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Path relative = from.relativize(file);
        if (relative.getNameCount() == 1 && NOT_COPIED.contains(relative.toString())) {
          return FileVisitResult.CONTINUE;
        }
        try {
          Files.copy(file, to.resolve(relative.toString()), StandardCopyOption.COPY_ATTRIBUTES);
        } catch (NoSuchFileException gone) {
          // A live server removes files while it is copied; the backup's WAL replay restores them.
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw new UncheckedIOException(e);
      }
    });
  }

  String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
  }

  /** Cuts the standby off its primary: it keeps what it has applied and receives nothing more. */
  void sever() {
    // Until the primary itself sees no standby streaming: seen once on CI, the standby received
    // everything after a sever (CuttingProxy now also closes a connection it accepts as it severs).
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
      link.sever();
      return !streaming(primary);
    });
  }

  /** Promotes the standby to a primary of its own and waits until it takes writes. */
  void promote() throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl("postgres")); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_promote(true, 60)")) {
      if (!rs.next() || !rs.getBoolean(1)) {
        throw new IllegalStateException("the standby did not finish its promotion within 60 s");
      }
    }
  }

  @Override
  public void close() throws IOException {
    link.close();
    server.close();
  }
}
