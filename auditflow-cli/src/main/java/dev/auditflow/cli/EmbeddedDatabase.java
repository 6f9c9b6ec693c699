package dev.auditflow.cli;

import dev.auditflow.server.failure.ConfigurationException;
import dev.auditflow.server.secrets.SecretFiles;
import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server run by auditflow itself, for a machine that has none. Its data lives in a
 * directory of the user's choosing and survives restarts.
 *
 * <p>Durable: the embedding library starts PostgreSQL tuned for throw-away test databases — {@code
 * fsync=off}, {@code synchronous_commit=off}, {@code full_page_writes=off} — which would lose
 * acknowledged audit events on a power cut. All three are turned back on here.
 *
 * <p>Private (docs/SECURITY.md, "The embedded database"). Everything lives in the data directory,
 * which is kept {@code 0700}: the cluster, the PostgreSQL binaries (not in a shared temporary
 * directory, where another local user could plant some before the first start) and two generated
 * passwords ({@code 0600}). The server listens on 127.0.0.1 only, has no Unix socket, and
 * {@code pg_hba.conf} — written at every start — admits nothing but password logins
 * ({@code scram-sha-256}). The service connects as {@value #SERVICE_ROLE}, which owns the schema and
 * is no superuser (no {@code pg_read_file}, no {@code COPY … TO PROGRAM}, no way round the
 * trail's triggers); the superuser {@code postgres} is used here only, to create that role. PgJDBC
 * speaks TCP only (a Unix socket would need a native library), so the listener stays on loopback,
 * behind the password.
 */
final class EmbeddedDatabase implements AutoCloseable {
  static final String DATABASE = "auditflow";
  static final String SERVICE_ROLE = "auditflow";
  static final String SUPERUSER_PASSWORD_FILE = "postgres-superuser.password";
  static final String SERVICE_PASSWORD_FILE = "database.password";
  /** Where the PostgreSQL binaries are unpacked, below the data directory. */
  static final String BINARIES = "postgres";
  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

  private final EmbeddedPostgres postgres;
  private final String servicePassword;

  private EmbeddedDatabase(EmbeddedPostgres postgres, String servicePassword) {
    this.postgres = postgres;
    this.servicePassword = servicePassword;
  }

  static EmbeddedDatabase start(Path dataDir, int port) throws IOException {
    PrivateDirectory.prepare(dataDir, "--data-dir");
    Path binaries = dataDir.resolve(BINARIES);
    if (Files.exists(binaries)) {
      // The library makes this directory writable by all whenever it unpacks (harmless inside a
      // 0700 directory, but not to be left so); then every file it holds must be ours alone.
      Files.setPosixFilePermissions(binaries, PosixFilePermissions.fromString("rwx------"));
      PrivateDirectory.requireOwnTree(binaries);
    }
    Path pgdata = dataDir.resolve("pgdata");
    boolean existing = Files.exists(pgdata.resolve("postgresql.conf"));
    Path superuserFile = dataDir.resolve(SUPERUSER_PASSWORD_FILE);
    boolean upgrade = existing && !Files.exists(superuserFile);
    String superuserPassword = password(superuserFile, "the embedded database's superuser password");
    String servicePassword = password(dataDir.resolve(SERVICE_PASSWORD_FILE), "the embedded database's password");

    // The library reads this property for where to unpack its binaries (and nothing else of ours),
    // and remembers per resolver object where it did: a resolver of this start's own (an object
    // that captures the directory) makes it unpack, or find them, here.
    System.setProperty("ot.epg.working-dir", binaries.toString());
    PgBinaryResolver ownBinaries = (system, hardware) -> {
      log.debug("PostgreSQL binaries for {} {} unpacked under {}", system, hardware, binaries);
      return DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, hardware);
    };
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
        .setPgBinaryResolver(ownBinaries)
        .setDataDirectory(pgdata)
        .setCleanDataDirectory(false)
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("full_page_writes", "on")
        .setServerConfig("max_connections", "100")
        .setServerConfig("listen_addresses", "127.0.0.1")
        .setServerConfig("unix_socket_directories", "")
        .setServerConfig("password_encryption", "scram-sha-256")
        // initdb sets the superuser's password from the file (a new cluster only).
        .setLocaleConfig("pwfile", superuserFile.toString())
        .setConnectConfig("password", superuserPassword)
        .setDataDirectoryCustomizer(dir -> {
          if (upgrade) {
            setSuperuserPassword(binaries, dir.toPath(), superuserPassword);
          }
          writeHostBasedAccess(dir.toPath());
        })
        .setPGStartupWait(java.time.Duration.ofSeconds(60));
    if (port > 0) {
      builder.setPort(port);
    }
    EmbeddedPostgres postgres = builder.start();
    Files.setPosixFilePermissions(binaries, PosixFilePermissions.fromString("rwx------"));
    EmbeddedDatabase db = new EmbeddedDatabase(postgres, servicePassword);
    try {
      db.prepareServiceRole();
    } catch (SQLException e) {
      db.close();
      throw new IOException("could not prepare the " + DATABASE + " database: " + e.getMessage(), e);
    }
    log.info("embedded PostgreSQL started data_dir={} port={} listen=127.0.0.1 role={}", dataDir.toAbsolutePath(),
        postgres.getPort(), SERVICE_ROLE);
    return db;
  }

  /** The password kept in {@code file}, made (256 random bits, mode 0600) if there is none yet. */
  private static String password(Path file, String what) throws IOException {
    if (!Files.exists(file)) {
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "\n",
          StandardCharsets.US_ASCII);
    }
    SecretFiles.requirePrivate(file, what);
    return Files.readString(file, StandardCharsets.US_ASCII).strip();
  }

  /** Password logins over loopback TCP; nothing else (there is no Unix socket to admit). */
  private static void writeHostBasedAccess(Path pgdata) {
    try {
      Files.writeString(pgdata.resolve("pg_hba.conf"), """
          # Written by auditflow at every start (docs/SECURITY.md): password logins only.
          host all all 127.0.0.1/32 scram-sha-256
          """, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + pgdata.resolve("pg_hba.conf"), e);
    }
  }

  /**
   * A cluster made by an earlier version has a superuser without a password (it trusted every local
   * connection). Its password is set in PostgreSQL's single-user mode, before the server starts and
   * before anything listens.
   */
  private static void setSuperuserPassword(Path binaries, Path pgdata, String password) {
    Path postgresBinary = binaryDirectory(binaries).resolve("bin").resolve("postgres");
    try {
      List<String> command = new ArrayList<>();
      if (LinuxUtils.isUnshareAvailable()) {
        command.addAll(List.of("unshare", "-U")); // as the library runs PostgreSQL, which refuses root
      }
      command.addAll(List.of(postgresBinary.toString(), "--single", "-D", pgdata.toString(), "-j", "postgres"));
      Process single = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      try (OutputStream in = single.getOutputStream()) {
        in.write(("ALTER ROLE postgres PASSWORD '" + password + "';\n\n").getBytes(StandardCharsets.US_ASCII));
      }
      if (!single.waitFor(60, TimeUnit.SECONDS) || single.exitValue() != 0) {
        single.destroyForcibly();
        throw new IllegalStateException("PostgreSQL's single-user mode could not set the superuser's password");
      }
      log.info("embedded PostgreSQL from an earlier version: its superuser now has a password; connections need one");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + postgresBinary, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while securing the embedded PostgreSQL", e);
    }
  }

  /** The unpacked binaries' directory ({@code PG-<digest>}): the one the library touched last. */
  private static Path binaryDirectory(Path binaries) {
    try (Stream<Path> dirs = Files.list(binaries)) {
      return dirs.filter(d -> d.getFileName().toString().startsWith("PG-") && Files.isExecutable(d.resolve("bin/postgres")))
          .max((a, b) -> Long.compare(a.resolve(".exists").toFile().lastModified(), b.resolve(".exists").toFile().lastModified()))
          .orElseThrow(() -> new IllegalStateException("no PostgreSQL binaries under " + binaries));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The service's role — a login that is no superuser — with the password from its file, and the
   * database it owns. A store made by an earlier version (everything owned by the superuser) is
   * handed over to it.
   */
  private void prepareServiceRole() throws SQLException {
    try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      boolean exists;
      try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + SERVICE_ROLE + "'")) {
        exists = rs.next();
      }
      s.execute((exists ? "ALTER" : "CREATE") + " ROLE " + SERVICE_ROLE
          + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '" + servicePassword + "'");
      try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
        if (!rs.next()) {
          s.execute("CREATE DATABASE " + DATABASE + " OWNER " + SERVICE_ROLE);
        }
      }
      s.execute("ALTER DATABASE " + DATABASE + " OWNER TO " + SERVICE_ROLE);
    }
    try (Connection c = postgres.getDatabase("postgres", DATABASE).getConnection(); Statement s = c.createStatement()) {
      for (String handOver : handOvers(c)) {
        s.execute(handOver);
      }
    }
  }

  /** ALTER … OWNER statements for whatever of the schema the superuser still owns. */
  private static List<String> handOvers(Connection c) throws SQLException {
    List<String> statements = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("""
        SELECT CASE WHEN k.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END || ' ' || k.oid::regclass
        FROM pg_class k JOIN pg_namespace n ON n.oid = k.relnamespace
        WHERE n.nspname = 'public' AND k.relkind IN ('r', 'p', 'v', 'm', 'S')
          AND pg_get_userbyid(k.relowner) = 'postgres'
          -- a column's own sequence follows its table
          AND NOT (k.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = k.oid AND d.deptype IN ('a', 'i')))
        UNION ALL
        SELECT 'FUNCTION ' || p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) = 'postgres'
        """); ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        statements.add("ALTER " + rs.getString(1) + " OWNER TO " + SERVICE_ROLE);
      }
    }
    return statements;
  }

  /** The service's URL: its own role and password, the database it owns. */
  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + DATABASE + "?user=" + SERVICE_ROLE
        + "&password=" + servicePassword;
  }

  @Override
  public void close() {
    try {
      postgres.close();
      log.info("embedded PostgreSQL stopped");
    } catch (IOException e) {
      log.error("embedded PostgreSQL did not stop cleanly", e);
    }
  }
}
