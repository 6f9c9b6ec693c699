package dev.auditflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** The embedded PostgreSQL that {@code serve} runs by default is durable and keeps its data. */
class EmbeddedDatabaseTest {

  private static String show(Statement s, String setting) throws Exception {
    try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void isDurableAndSurvivesARestart() throws Exception {
    Path dir = Files.createTempDirectory("auditflow-embedded");
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
}
