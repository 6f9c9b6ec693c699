package dev.auditflow.cli;

import dev.auditflow.server.failure.ConfigurationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory only the service's user can enter: the data directory holds the cluster, the
 * PostgreSQL binaries the service runs, the admin token and the keys. Created {@code 0700}; an
 * existing one must belong to the user and be writable by no one else (someone who could write
 * there could have planted binaries); one merely readable by others is narrowed to {@code 0700}.
 */
final class PrivateDirectory {
  private static final Logger log = LoggerFactory.getLogger(PrivateDirectory.class);
  private static final Set<PosixFilePermission> OTHERS_WRITE =
      Set.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

  private PrivateDirectory() {}

  /**
   * @param option the option that named it, for messages ({@code --data-dir})
   * @throws ConfigurationException saying what is wrong with it and for whom, in one line
   */
  static void prepare(Path dir, String option) {
    String user = System.getProperty("user.name");
    try {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (FileAlreadyExistsException e) {
      throw new ConfigurationException(option + " " + dir + " is a file, not a directory; name a directory");
    } catch (AccessDeniedException e) {
      throw new ConfigurationException(option + " " + dir + " cannot be created by user " + user + " ("
          + e.getFile() + " is not writable); name a directory " + user + " may create");
    } catch (IOException e) {
      throw new ConfigurationException(option + " " + dir + " cannot be created: " + e.getMessage());
    }
    PosixFileAttributes attributes = attributes(dir);
    if (!attributes.owner().getName().equals(user)) {
      throw new ConfigurationException(option + " " + dir + " belongs to " + attributes.owner().getName() + ", not to "
          + user + " who runs the service; chown -R " + user + " " + dir + " or name another directory");
    }
    if (!Files.isWritable(dir)) {
      throw new ConfigurationException(option + " " + dir + " is not writable by user " + user + "; chmod 700 " + dir);
    }
    if (attributes.permissions().stream().anyMatch(OTHERS_WRITE::contains)) {
      throw new ConfigurationException(option + " " + dir + " is writable by other users ("
          + PosixFilePermissions.toString(attributes.permissions()) + "), who could have replaced what it holds;"
          + " check it, then chmod 700 " + dir);
    }
    if (!attributes.permissions().equals(PosixFilePermissions.fromString("rwx------"))) {
      try {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      log.info("{} {} was readable by other users ({}); now 0700", option, dir,
          PosixFilePermissions.toString(attributes.permissions()));
    }
  }

  /**
   * Everything below {@code dir} belongs to the service's user and is writable by no one else,
   * so nothing in it can have been replaced by another user.
   */
  static void requireOwnTree(Path dir) {
    String user = System.getProperty("user.name");
    try (Stream<Path> tree = Files.walk(dir)) {
      tree.forEach(path -> {
        PosixFileAttributes attributes = attributes(path);
        if (!attributes.owner().getName().equals(user) || (!attributes.isSymbolicLink()
            && attributes.permissions().stream().anyMatch(OTHERS_WRITE::contains))) {
          throw new ConfigurationException(path + " belongs to " + attributes.owner().getName() + " with mode "
              + PosixFilePermissions.toString(attributes.permissions()) + ": another user could have replaced the"
              + " PostgreSQL binaries; remove " + dir + " (it is unpacked again at the next start)");
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static PosixFileAttributes attributes(Path path) {
    try {
      return Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the attributes of " + path, e);
    }
  }
}
