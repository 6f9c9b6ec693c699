package dev.auditflow.server.architecture;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server's packages as docs/ARCHITECTURE.md draws them: layers that only point down, and no
 * package that reaches, however indirectly, back into itself. A change that breaks either fails
 * here with the offending class and line.
 */
class LayersTest {
  private static JavaClasses server;

  @BeforeAll
  static void importServer() {
    server = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.auditflow.server");
  }

  @Test
  void noPackageDependsOnItselfThroughOthers() {
    assertThat(slices().matching("dev.auditflow.server.(*)..").should().beFreeOfCycles().evaluate(server).getFailureReport()
        .getDetails()).as("package cycles").isEmpty();
  }

  @Test
  void layersOnlyPointDown() {
    assertThat(layeredArchitecture().consideringOnlyDependenciesInLayers()
        .layer("composition").definedBy("dev.auditflow.server")
        .layer("features").definedBy("..server.ingest..", "..server.query..", "..server.chain..", "..server.log..",
            "..server.export..", "..server.hold..", "..server.retention..", "..server.workflow..",
            "..server.console..", "..server.ops..", "..server.completeness..", "..server.kafka..",
            "..server.otlp..")
        .layer("access").definedBy("..server.auth..", "..server.dlq..")
        .layer("trail").definedBy("..server.trail..", "..server.shard..")
        .layer("infrastructure").definedBy("..server.db..", "..server.http..", "..server.signing..",
            "..server.secrets..", "..server.tls..")
        .layer("failures").definedBy("..server.failure..")
        .whereLayer("composition").mayNotBeAccessedByAnyLayer()
        .whereLayer("features").mayOnlyBeAccessedByLayers("composition")
        .whereLayer("access").mayOnlyBeAccessedByLayers("composition", "features")
        .whereLayer("trail").mayOnlyBeAccessedByLayers("composition", "features", "access")
        .whereLayer("infrastructure").mayOnlyBeAccessedByLayers("composition", "features", "access", "trail")
        .evaluate(server).getFailureReport().getDetails()).as("arrows pointing up").isEmpty();
  }

  @Test
  void theStorageLayerKnowsNoFeatureNorTheHttpEdge() {
    assertThat(com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses().that().resideInAnyPackage("..server.trail..", "..server.shard..")
        .should().dependOnClassesThat().resideInAnyPackage("..server.http..", "io.javalin..")
        .evaluate(server).getFailureReport().getDetails()).as("the trail's imports of HTTP").isEmpty();
  }

  @Test
  void onlyTheCompositionKnowsWhichTrailItIs() {
    // Features store through the AuditTrail contract; a second implementation (sharded, log-fed)
    // then replaces PostgresTrail in AuditServer and nowhere else.
    assertThat(com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses().that().resideOutsideOfPackages(
            "dev.auditflow.server", "..server.trail..")
        .should().dependOnClassesThat().haveFullyQualifiedName("dev.auditflow.server.trail.PostgresTrail")
        .evaluate(server).getFailureReport().getDetails()).as("features naming the PostgreSQL trail").isEmpty();
  }
}
