package dev.auditflow.cli.kubernaut;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Kubernaut's tests ({@link KubernautSuite}) against jars that store each event before they answer. */
class KubernautSuiteIT extends KubernautSuite {
  @BeforeAll
  static void serve() throws Exception {
    deploy(new IngestPath() {
      @Override
      public List<String> options(String name) {
        return List.of();
      }

      @Override
      public Runnable afterWrite(String name, String database) {
        // Stored before the answer: nothing to wait for.
        return () -> { };
      }

      @Override
      public boolean kafka() {
        return false;
      }
    });
  }

  @AfterAll
  static void stop() throws Exception {
    undeploy();
  }
}
