package dev.auditflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.auditflow.api.Pem;
import dev.auditflow.cli.jar.DeployedMetrics;
import dev.auditflow.cli.jar.JarProcess;
import dev.auditflow.client.AuditStore;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.RedisServerProcess;
import dev.auditflow.server.testing.TestCertificates;
import dev.auditflow.server.testing.TestDatabase;
import dev.auditflow.server.testing.TestRedis;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The files under {@code deploy/} as a platform team uses them (docs/DEPLOYING.md): every
 * Kubernetes overlay rendered by {@code kubectl kustomize} and read back into the fabric8
 * Kubernetes model with no field it does not know, holding the invariants the docs promise; the
 * alert rules through {@code promtool test rules}; and every metric the rules and the dashboard
 * name found in a scrape of the built jar (TLS, the Redis DLQ and a management port on) or of the
 * Java client — Kafka mode's writer metrics in JarKafkaIT's scrape of a writer.
 */
class DeployFilesIT {
  private static final Path DEPLOY = Path.of("..", "deploy").toAbsolutePath().normalize();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
  private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of("Deployment", Deployment.class,
      "Service", Service.class, "PodDisruptionBudget", PodDisruptionBudget.class, "Secret", Secret.class,
      "ConfigMap", ConfigMap.class, "Namespace", Namespace.class);

  /** Runs a tool the tests need, failing with how to get it when it is not there. */
  private static String run(Path dir, String hint, String... command) throws Exception {
    Process process;
    try {
      process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError(command[0] + " is needed by this test and was not found: " + hint, e);
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
    assertThat(process.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
    return output;
  }

  private static List<HasMetadata> render(String overlay) throws Exception {
    String yaml = run(DEPLOY, "install kubectl (it includes kustomize)", "kubectl", "kustomize",
        "kubernetes/overlays/" + overlay);
    List<HasMetadata> objects = new ArrayList<>();
    for (JsonNode doc : YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml).readAll()) {
      String kind = doc.get("kind").asText();
      assertThat(KINDS).as("a kind this test knows").containsKey(kind);
      HasMetadata object = YAML.treeToValue(doc, KINDS.get(kind));
      assertNoUnknownFields(object, kind + "/" + object.getMetadata().getName());
      objects.add(object);
    }
    return objects;
  }

  /**
   * The fabric8 model keeps a field it does not know in {@code additionalProperties} rather than
   * failing: a misspelt {@code readinesProbe} would be kept there, and ignored by a cluster. Every
   * object of the model is walked, and each must have none.
   */
  private static void assertNoUnknownFields(Object value, String path) throws ReflectiveOperationException {
    if (value instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        assertNoUnknownFields(item, path + "[" + i++ + "]");
      }
      return;
    }
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        assertNoUnknownFields(e.getValue(), path + "." + e.getKey());
      }
      return;
    }
    if (value == null || !value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method getter : value.getClass().getMethods()) {
      if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
        continue;
      }
      Object field;
      try {
        field = getter.invoke(value);
      } catch (InvocationTargetException e) {
        continue; // a derived getter that does not apply (e.g. an IntOrString's other side)
      }
      if (getter.getName().equals("getAdditionalProperties")) {
        assertThat((Map<?, ?>) field).as("fields the Kubernetes model does not know, at " + path).isNullOrEmpty();
      } else {
        assertNoUnknownFields(field, path + "." + getter.getName().substring(3));
      }
    }
  }

  private static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> kind) {
    return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
  }

  private static <T extends HasMetadata> T named(List<HasMetadata> objects, Class<T> kind, String name) {
    return all(objects, kind).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind.getSimpleName() + " " + name));
  }

  private static Map<String, String> env(Container container) {
    Map<String, String> env = new java.util.HashMap<>();
    for (EnvVar var : container.getEnv()) {
      env.put(var.getName(), var.getValue() != null ? var.getValue() : "(from " + var.getValueFrom() + ")");
    }
    return env;
  }

  @ParameterizedTest
  @ValueSource(strings = {"external-postgres", "with-kafka", "with-redis"})
  void everyOverlayRendersIntoObjectsThatHoldWhatTheDocsPromise(String overlay) throws Exception {
    List<HasMetadata> objects = render(overlay);
    assertThat(all(objects, Deployment.class)).isNotEmpty();
    for (Deployment deployment : all(objects, Deployment.class)) {
      String name = deployment.getMetadata().getName();
      var spec = deployment.getSpec();
      var pod = spec.getTemplate().getSpec();
      Map<String, String> podLabels = spec.getTemplate().getMetadata().getLabels();
      assertThat(spec.getReplicas()).as(name + ": replicas").isGreaterThanOrEqualTo(2);
      assertThat(podLabels).as(name + ": the selector selects its own pods")
          .containsAllEntriesOf(spec.getSelector().getMatchLabels());
      assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(name + ": non-root").isTrue();
      assertThat(pod.getAutomountServiceAccountToken()).as(name + ": no service account token").isFalse();

      Container container = pod.getContainers().get(0);
      assertThat(container.getImage()).as(name + ": the image").startsWith("ghcr.io/auditflow/auditflow:");
      var security = container.getSecurityContext();
      assertThat(security.getReadOnlyRootFilesystem()).as(name + ": read-only root").isTrue();
      assertThat(security.getAllowPrivilegeEscalation()).as(name + ": no escalation").isFalse();
      assertThat(security.getCapabilities().getDrop()).as(name + ": capabilities").containsExactly("ALL");
      assertThat(container.getResources().getRequests()).as(name + ": requests").containsKeys("cpu", "memory");
      assertThat(container.getResources().getLimits()).as(name + ": limits").containsKey("memory");
      Quantity memory = container.getResources().getLimits().get("memory");
      assertThat(Quantity.getAmountInBytes(memory).longValue()).as(name + ": heap room").isGreaterThanOrEqualTo(512L << 20);

      Map<String, String> env = env(container);
      assertThat(env).as(name).containsEntry("AUDITFLOW_MANAGEMENT_PORT", "9090").containsKey("AUDITFLOW_DATABASE_URL")
          .containsEntry("AUDITFLOW_SIGNING_KEY_FILE", "/etc/auditflow/keys/signing.key");
      assertThat(container.getPorts()).as(name + ": ports")
          .anySatisfy(p -> assertThat(List.of(p.getName(), p.getContainerPort())).containsExactly("management", 9090))
          .anySatisfy(p -> assertThat(List.of(p.getName(), p.getContainerPort())).containsExactly("http", 8080));
      assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health/ready");
      assertThat(container.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("management");
      assertThat(container.getLivenessProbe().getHttpGet().getPath()).as("liveness ignores the database").isEqualTo("/health/live");
      assertThat(container.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("management");
      assertThat(pod.getTerminationGracePeriodSeconds()).as(name + ": longer than the 10 s drain").isGreaterThan(10L);

      // Every Secret and ConfigMap key the pod reads is rendered beside it.
      for (EnvVar var : container.getEnv()) {
        if (var.getValueFrom() != null && var.getValueFrom().getSecretKeyRef() != null) {
          var ref = var.getValueFrom().getSecretKeyRef();
          Secret secret = named(objects, Secret.class, ref.getName());
          assertThat(secret.getStringData()).as(name + " reads " + ref.getName() + "/" + ref.getKey()).containsKey(ref.getKey());
        }
        if (var.getValueFrom() != null && var.getValueFrom().getConfigMapKeyRef() != null) {
          var ref = var.getValueFrom().getConfigMapKeyRef();
          assertThat(named(objects, ConfigMap.class, ref.getName()).getData()).as(name + " reads " + ref.getName())
              .containsKey(ref.getKey());
        }
      }
      pod.getVolumes().stream().filter(v -> v.getSecret() != null).forEach(v -> v.getSecret().getItems().forEach(item ->
          assertThat(named(objects, Secret.class, v.getSecret().getSecretName()).getStringData()).containsKey(item.getKey())));

      // A disruption budget keeps at least one of these pods, and fewer than all of them.
      assertThat(all(objects, PodDisruptionBudget.class)).as(name + ": its disruption budget").anySatisfy(pdb -> {
        assertThat(podLabels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
        assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isBetween(1, spec.getReplicas() - 1);
      });
    }

    Deployment server = named(objects, Deployment.class, "auditflow");
    Service service = named(objects, Service.class, "auditflow");
    assertThat(server.getSpec().getTemplate().getMetadata().getLabels()).as("the Service selects the servers")
        .containsAllEntriesOf(service.getSpec().getSelector());
    assertThat(service.getSpec().getPorts()).extracting(p -> p.getTargetPort().getStrVal()).containsExactly("http", "management");
    assertThat(server.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs()).containsExactly("serve");
    Map<String, String> serverEnv = env(server.getSpec().getTemplate().getSpec().getContainers().get(0));
    switch (overlay) {
      case "with-kafka" -> {
        assertThat(serverEnv).containsKeys("AUDITFLOW_KAFKA_BOOTSTRAP", "AUDITFLOW_KAFKA_TOPIC");
        Deployment writer = named(objects, Deployment.class, "auditflow-writer");
        assertThat(writer.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs()).containsExactly("worker");
        assertThat(env(writer.getSpec().getTemplate().getSpec().getContainers().get(0)))
            .containsKeys("AUDITFLOW_KAFKA_BOOTSTRAP", "AUDITFLOW_KAFKA_TOPIC");
        assertThat(service.getSpec().getSelector()).as("writers take no API traffic")
            .containsEntry("app.kubernetes.io/component", "server");
      }
      case "with-redis" -> assertThat(serverEnv).containsKey("AUDITFLOW_REDIS_URL");
      default -> assertThat(serverEnv).doesNotContainKeys("AUDITFLOW_REDIS_URL", "AUDITFLOW_KAFKA_BOOTSTRAP");
    }
  }

  @Test
  void theAlertRulesPassTheirOwnTests() throws Exception {
    String hint = "install Debian's prometheus package (promtool)";
    Path rules = DEPLOY.resolve("prometheus");
    assertThat(run(rules, hint, "promtool", "check", "rules", "auditflow-rules.yml")).contains("SUCCESS");
    assertThat(run(rules, hint, "promtool", "test", "rules", "auditflow-rules-test.yml")).contains("SUCCESS");
    // Each alert is exercised by the tests, not only parsed.
    String tests = Files.readString(rules.resolve("auditflow-rules-test.yml"));
    for (JsonNode group : YAML.readTree(rules.resolve("auditflow-rules.yml").toFile()).get("groups")) {
      for (JsonNode rule : group.get("rules")) {
        assertThat(tests).as("a test of " + rule.get("alert").asText())
            .contains("alertname: " + rule.get("alert").asText() + "\n");
      }
    }
  }

  /** Every metric the rules and the dashboard name, and which family each must come from. */
  private static Set<String> namedByTheDeployFiles() throws IOException {
    Set<String> named = new TreeSet<>();
    for (JsonNode group : YAML.readTree(DEPLOY.resolve("prometheus/auditflow-rules.yml").toFile()).get("groups")) {
      group.get("rules").forEach(rule -> named.addAll(DeployedMetrics.namedIn(rule.get("expr").asText())));
    }
    JsonNode dashboard = new ObjectMapper().readTree(DEPLOY.resolve("grafana/auditflow-dashboard.json").toFile());
    dashboard.get("panels").forEach(panel -> panel.get("targets")
        .forEach(target -> named.addAll(DeployedMetrics.namedIn(target.get("expr").asText()))));
    return named;
  }

  @Test
  void everyMetricTheRulesAndTheDashboardNameIsExported() throws Exception {
    Set<String> exported = new TreeSet<>(DeployedMetrics.KAFKA_MODE);
    exported.addAll(scrapeOfTheJar());
    exported.addAll(scrapeOfTheClient());
    Set<String> named = namedByTheDeployFiles();
    assertThat(named).as("the deploy files name metrics").hasSizeGreaterThan(20);
    assertThat(exported).as("exported by the jar (serve) or the client").containsAll(named);
  }

  /** The jar's /metrics with everything that adds metrics on: TLS, the Redis DLQ, a management port. */
  private static Set<String> scrapeOfTheJar() throws Exception {
    Path work = Files.createTempDirectory("auditflow-deploy-metrics");
    TestCertificates certs = TestCertificates.create(work.resolve("tls"));
    int port = RedisServerProcess.freePort();
    int management = RedisServerProcess.freePort();
    String db = TestDatabase.create();
    try (JarProcess server = JarProcess.of(work, "serve", "--host", "127.0.0.1", "--port", Integer.toString(port),
        "--database-url", db, "--tls-cert", certs.certificate().toString(), "--tls-key", certs.privateKey().toString(),
        "--management-port", Integer.toString(management), "--redis-url", TestRedis.url(), "--dlq-key",
        "auditflow:deploy-metrics:" + port).start()) {
      URI metrics = URI.create("http://127.0.0.1:" + management);
      server.awaitHttp200(metrics, "/health/ready", Duration.ofMinutes(2));
      HttpClient https = HttpClient.newBuilder().sslContext(Pem.trusting(certs.certificate())).build();
      URI events = URI.create("https://localhost:" + port + "/api/v1/audit/events");
      String admin = Files.readString(work.resolve("auditflow-data").resolve("admin.token")).trim();
      // A stored event and a refused token: the request and authentication metrics exist once used.
      assertThat(https.send(HttpRequest.newBuilder(events).header("Authorization", "Bearer " + admin)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(EventJson.valid("deploy-metrics").toString())).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(201);
      assertThat(https.send(HttpRequest.newBuilder(events).header("Authorization", "Bearer not-a-token").build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
      String scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics.resolve("/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      return DeployedMetrics.sampleNames(scrape);
    } finally {
      TestDatabase.drop(db);
    }
  }

  /** What a service exports once its client is built with a registry. */
  private static Set<String> scrapeOfTheClient() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (AuditStore store = AuditStore.builder().endpoint(URI.create("http://127.0.0.1:9")).meterRegistry(registry).build()) {
      return DeployedMetrics.sampleNames(registry.scrape());
    }
  }
}
