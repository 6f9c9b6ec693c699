package dev.auditflow.server.secrets;

import dev.auditflow.server.failure.ConfigurationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * The files that hold the service's secrets — the first admin token, the signing key, the chain's
 * HMAC key, the embedded database's passwords — must be private. PostgreSQL's rule for its key
 * files is followed: owned by the service's user and readable by no one else ({@code 0600} or
 * less), or owned by root and readable by root's group at most ({@code 0640} or less, as a
 * Kubernetes Secret mounted with an {@code fsGroup} is). Anything wider refuses the start.
 */
public final class SecretFiles {
  private static final Set<PosixFilePermission> OWNER_ONLY =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
  private static final Set<PosixFilePermission> ROOT_AND_GROUP =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_READ);

  private SecretFiles() {}

  /**
   * @param what what the file holds, for the message ("the signing key")
   * @throws ConfigurationException naming the file, its mode and the command that fixes it
   */
  public static void requirePrivate(Path file, String what) {
    PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
    if (view == null) {
      return; // not a POSIX file system: its access control is not ours to judge
    }
    try {
      PosixFileAttributes attributes = view.readAttributes();
      String owner = attributes.owner().getName();
      String self = System.getProperty("user.name");
      Set<PosixFilePermission> allowed = owner.equals(self) ? OWNER_ONLY : owner.equals("root") ? ROOT_AND_GROUP : null;
      String mode = PosixFilePermissions.toString(attributes.permissions());
      if (allowed == null) {
        throw new ConfigurationException(what + " " + file + " belongs to " + owner + ", neither to " + self
            + " (who runs the service) nor to root; chown " + self + " " + file);
      }
      if (!allowed.containsAll(attributes.permissions())) {
        throw new ConfigurationException(what + " " + file + " can be read or changed by other users (" + mode
            + "); chmod 600 " + file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the permissions of " + file, e);
    }
  }
}
