package dev.auditflow.client.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token files as Kubernetes rotates them: rewritten in place, or briefly empty or missing. */
class BearerTokenTest {
  @TempDir
  Path dir;

  private Path write(String content, Instant modified) throws Exception {
    Path file = dir.resolve("token");
    Files.writeString(file, content);
    Files.setLastModifiedTime(file, FileTime.from(modified));
    return file;
  }

  @Test
  void aRewrittenFileIsReadAgain() throws Exception {
    Path file = write("first\n", Instant.parse("2026-11-27T10:00:00Z"));
    BearerToken token = BearerToken.fromFile(file);
    assertThat(token.current()).contains("first");

    write("second", Instant.parse("2026-11-27T10:05:00Z"));
    assertThat(token.current()).contains("second");
  }

  @Test
  void anEmptyOrMissingFileMidRotationKeepsTheLastToken() throws Exception {
    Path file = write("first", Instant.parse("2026-11-27T10:00:00Z"));
    BearerToken token = BearerToken.fromFile(file);

    write("", Instant.parse("2026-11-27T10:05:00Z"));
    assertThat(token.current()).contains("first");
    write("second", Instant.parse("2026-11-27T10:05:00Z"));
    assertThat(token.current()).as("the same modification time is read again after an empty read").contains("second");

    Files.delete(file);
    assertThat(token.current()).contains("second");
  }

  @Test
  void aFileThatCannotBeReadFailsWhenTheClientIsBuilt() throws Exception {
    assertThatThrownBy(() -> BearerToken.fromFile(dir.resolve("absent"))).isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("absent");
    Path empty = write("  \n", Instant.parse("2026-11-27T10:00:00Z"));
    assertThatThrownBy(() -> BearerToken.fromFile(empty)).hasMessageContaining("is empty");
  }

  @Test
  void theTokenNeverAppearsInToString() throws Exception {
    Path file = write("s3cret", Instant.parse("2026-11-27T10:00:00Z"));
    assertThat(BearerToken.fromFile(file).toString()).doesNotContain("s3cret");
    assertThat(BearerToken.of("s3cret").toString()).doesNotContain("s3cret");
  }
}
