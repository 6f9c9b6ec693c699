package dev.auditflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.auditflow.server.failure.ConfigurationException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The embedded PostgreSQL that {@code serve} runs by default: durable, keeps its data, and private
 * to the service (hardening finding 1: any local user could connect as its superuser, read the
 * admin token with {@code pg_read_file} and run commands with {@code COPY … TO PROGRAM}; its
 * binaries were unpacked into a world-writable temporary directory).
 */
class EmbeddedDatabaseTest {

  private static String show(Statement s, String setting) throws Exception {
    try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** A data directory inside a directory anyone may enter, as {@code ./auditflow-data} usually is. */
  private static Path dataDir() throws Exception {
    Path parent = Files.createTempDirectory("auditflow-embedded");
    Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxr-xr-x"));
    return parent.resolve("data");
  }

  private static int port(EmbeddedDatabase db) {
    return URI.create(db.jdbcUrl().substring("jdbc:".length())).getPort();
  }

  @Test
  void isDurableAndSurvivesARestart() throws Exception {
    Path dir = dataDir();
    try (EmbeddedDatabase db = EmbeddedDatabase.start(dir, 0);
        Connection c = DriverManager.getConnection(db.jdbcUrl());
        Statement s = c.createStatement()) {
      assertThat(show(s, "fsync")).isEqualTo("on");
      assertThat(show(s, "synchronous_commit")).isEqualTo("on");
      assertThat(show(s, "full_page_writes")).isEqualTo("on");
      s.execute("CREATE TABLE kept (v text)");
      s.execute("INSERT INTO kept VALUES ('still here')");
    }
    try (EmbeddedDatabase db = EmbeddedDatabase.start(dir, 0);
        Connection c = DriverManager.getConnection(db.jdbcUrl());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT v FROM kept")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("still here");
    }
  }

  @Test
  void onlyTheServiceGetsInAndItIsNoSuperuser() throws Exception {
    Path dir = dataDir();
    try (EmbeddedDatabase db = EmbeddedDatabase.start(dir, 0)) {
      String base = "jdbc:postgresql://127.0.0.1:" + port(db) + "/auditflow";
      for (String user : List.of("postgres", "auditflow")) {
        assertThatThrownBy(() -> DriverManager.getConnection(base + "?user=" + user).close()).as(user)
            .isInstanceOf(SQLException.class).hasMessageContaining("password");
      }
      assertThatThrownBy(() -> DriverManager.getConnection(base + "?user=postgres&password=guess").close())
          .hasMessageContaining("password authentication failed");
      try (Connection c = DriverManager.getConnection(db.jdbcUrl()); Statement s = c.createStatement()) {
        try (ResultSet rs = s.executeQuery("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")) {
          rs.next();
          assertThat(rs.getBoolean(1)).as("the service's role is no superuser").isFalse();
        }
        assertThat(show(s, "listen_addresses")).isEqualTo("127.0.0.1");
        assertThat(Path.of("/tmp/.s.PGSQL." + port(db))).as("no Unix socket").doesNotExist();
        assertThatThrownBy(() -> s.execute("SELECT pg_read_file('PG_VERSION')")).hasMessageContaining("permission denied");
        assertThatThrownBy(() -> s.execute("COPY (SELECT 1) TO PROGRAM 'true'")).hasMessageContaining("permission denied");
      }
      assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
      for (String secret : List.of(EmbeddedDatabase.SUPERUSER_PASSWORD_FILE, EmbeddedDatabase.SERVICE_PASSWORD_FILE)) {
        assertThat(Files.getPosixFilePermissions(dir.resolve(secret))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
      }
      try (var binaries = Files.list(dir.resolve(EmbeddedDatabase.BINARIES))) {
        assertThat(binaries.filter(p -> Files.exists(p.resolve("bin/postgres"))).count()).as("unpacked here").isOne();
      }
      if (System.getProperty("user.name").equals("root") && Files.isExecutable(Path.of("/usr/bin/psql"))) {
        // Another user of the machine, for real: neither connects nor reaches the directory.
        for (String user : List.of("postgres", "auditflow")) {
          String refused = asNobody("psql", "-w", "-h", "127.0.0.1", "-p", Integer.toString(port(db)), "-U", user,
              "-d", "auditflow", "-c", "SELECT 1");
          assertThat(refused).as(user).contains("password").doesNotContain("(1 row)");
        }
        assertThat(asNobody("ls", dir.toString())).contains("Permission denied");
        assertThat(asNobody("touch", dir.resolve(EmbeddedDatabase.BINARIES).resolve("planted").toString()))
            .contains("Permission denied");
      }
    }
  }

  private static String asNobody(String... command) throws Exception {
    List<String> full = new java.util.ArrayList<>(List.of("runuser", "-u", "nobody", "--"));
    full.addAll(List.of(command));
    Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(output).isNotZero();
    return output;
  }

  /** A cluster an earlier version made: binaries elsewhere, a passwordless superuser owning everything. */
  @Test
  void aStoreMadeByAnEarlierVersionIsLockedAndHandedToTheServiceRole() throws Exception {
    Path dir = dataDir();
    Files.createDirectories(dir);
    try (EmbeddedPostgres old = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pgdata"))
        .setCleanDataDirectory(false).start()) {
      try (Connection c = old.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE auditflow");
      }
      try (Connection c = old.getDatabase("postgres", "auditflow").getConnection(); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE earlier (id bigint GENERATED ALWAYS AS IDENTITY, v text)");
        s.execute("CREATE TABLE parted (d date) PARTITION BY RANGE (d)");
        s.execute("CREATE TABLE parted_2026 PARTITION OF parted FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')");
        s.execute("CREATE FUNCTION earlier_f() RETURNS int LANGUAGE sql AS 'SELECT 1'");
        s.execute("INSERT INTO earlier (v) VALUES ('from before')");
      }
    }
    try (EmbeddedDatabase db = EmbeddedDatabase.start(dir, 0);
        Connection c = DriverManager.getConnection(db.jdbcUrl()); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT v FROM earlier")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("from before");
      }
      s.execute("INSERT INTO earlier (v) VALUES ('after')");
      s.execute("INSERT INTO parted VALUES ('2026-06-01')");
      try (ResultSet rs = s.executeQuery("""
          SELECT count(*) FROM pg_class k JOIN pg_namespace n ON n.oid = k.relnamespace
          WHERE n.nspname = 'public' AND pg_get_userbyid(k.relowner) <> 'auditflow'""")) {
        rs.next();
        assertThat(rs.getLong(1)).as("nothing left to the superuser").isZero();
      }
      assertThatThrownBy(() -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port(db)
          + "/auditflow?user=postgres").close()).hasMessageContaining("password");
    }
  }

  @Test
  void aDataDirectoryOthersCanWriteIsRefused() throws Exception {
    Path dir = dataDir();
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    assertThatThrownBy(() -> EmbeddedDatabase.start(dir, 0)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("is writable by other users").hasMessageContaining("chmod 700 " + dir);
    Path file = Files.createTempFile("auditflow", ".not-a-dir");
    assertThatThrownBy(() -> EmbeddedDatabase.start(file, 0)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("is a file, not a directory");
  }
}
