package dev.auditflow.client.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Objects;
import java.util.Optional;

/**
 * The credentials a transport sends as {@code Authorization: Bearer …}: none, a fixed token, or
 * a token file read again whenever it changes — Kubernetes rotates projected service-account
 * tokens by rewriting the file, and a long-running client must pick the new one up.
 */
public abstract class BearerToken {
  private BearerToken() {}

  /** The token to send now, if any. */
  public abstract Optional<String> current();

  public static BearerToken none() {
    return new BearerToken() {
      @Override
      public Optional<String> current() {
        return Optional.empty();
      }

      @Override
      public String toString() {
        return "none";
      }
    };
  }

  public static BearerToken of(String token) {
    Objects.requireNonNull(token, "token");
    if (token.isBlank()) {
      throw new IllegalArgumentException("the bearer token is empty");
    }
    String trimmed = token.trim();
    return new BearerToken() {
      @Override
      public Optional<String> current() {
        return Optional.of(trimmed);
      }

      @Override
      public String toString() {
        return "token";
      }
    };
  }

  public static BearerToken fromFile(Path file) {
    return new FileToken(file);
  }

  /** Re-reads the file when its modification time changes; never logs or prints the token. */
  private static final class FileToken extends BearerToken {
    private final Path file;
    private FileTime readAt;
    private String token;

    FileToken(Path file) {
      this.file = Objects.requireNonNull(file, "file");
      current(); // fail at build time when the file cannot be read
    }

    @Override
    public synchronized Optional<String> current() {
      try {
        FileTime modified = Files.getLastModifiedTime(file);
        if (!modified.equals(readAt)) {
          String read = Files.readString(file, StandardCharsets.UTF_8).trim();
          if (!read.isEmpty()) {
            token = read;
            readAt = modified;
          } else if (token == null) {
            throw new IllegalStateException("the token file " + file + " is empty");
          }
          // else: caught between truncation and write; keep the last token, read again next time
        }
        return Optional.of(token);
      } catch (IOException e) {
        if (token != null) {
          return Optional.of(token); // a rotation in progress: keep the last good token
        }
        throw new UncheckedIOException("cannot read the token file " + file, e);
      }
    }

    @Override
    public String toString() {
      return "file(" + file + ")";
    }
  }
}
