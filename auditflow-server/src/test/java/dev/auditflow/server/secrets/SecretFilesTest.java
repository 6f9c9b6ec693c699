package dev.auditflow.server.secrets;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.auditflow.server.failure.ConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A secret file must be the service user's alone (hardening finding 15). */
class SecretFilesTest {
  @TempDir
  Path dir;

  private Path file(String mode) throws Exception {
    Path file = Files.createTempFile(dir, "secret", ".key");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    return file;
  }

  @Test
  void onlyTheOwnerMayReadIt() throws Exception {
    assertThatCode(() -> SecretFiles.requirePrivate(file("rw-------"), "the key")).doesNotThrowAnyException();
    assertThatCode(() -> SecretFiles.requirePrivate(file("r--------"), "the key")).doesNotThrowAnyException();
    for (String mode : new String[] {"rw-r-----", "rw----r--", "rw-rw-rw-", "rw-----w-"}) {
      Path file = file(mode);
      assertThatThrownBy(() -> SecretFiles.requirePrivate(file, "the key")).as(mode)
          .isInstanceOf(ConfigurationException.class)
          .hasMessage("the key " + file + " can be read or changed by other users (" + mode + "); chmod 600 " + file);
    }
  }
}
