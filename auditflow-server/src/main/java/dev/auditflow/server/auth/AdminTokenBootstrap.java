package dev.auditflow.server.auth;

import dev.auditflow.server.failure.ConfigurationException;
import dev.auditflow.server.secrets.SecretFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At the first start (no token exists yet) makes an admin token and writes it to a file only the
 * service's user can read ({@code 0600}), logging where — never the token. The operator reads it
 * from there to create the other tokens.
 */
public final class AdminTokenBootstrap {
  private static final Logger log = LoggerFactory.getLogger(AdminTokenBootstrap.class);

  private AdminTokenBootstrap() {}

  public static void ensureFirstAdmin(ApiTokens tokens, Path file) {
    if (tokens.anyExist()) {
      if (Files.exists(file)) {
        SecretFiles.requirePrivate(file, "the first admin token's file");
      }
      return;
    }
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      // Create the file with its final permissions, then write: no moment when others could read it.
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException e) {
      throw new IllegalStateException("no API token exists yet, but " + file + " does: remove it (it holds a token of"
          + " another database) and start again", e);
    } catch (IOException e) {
      throw new ConfigurationException("cannot create " + file + " for the first admin token as user "
          + System.getProperty("user.name") + " (" + e.getClass().getSimpleName() + ": " + e.getMessage()
          + "); name a directory it may write with --data-dir or --admin-token-file", e);
    }
    ApiTokens.Issued admin = tokens.create("admin", EnumSet.of(Role.ADMIN), null, "auditflow");
    try {
      Files.writeString(file, admin.secret() + "\n", StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the first admin token to " + file, e);
    }
    log.info("first admin token created token_id={} file={} (mode 0600; read it from there, e.g. export"
        + " AUDITFLOW_TOKEN=$(cat {}))", admin.token().id(), file.toAbsolutePath(), file);
  }
}
