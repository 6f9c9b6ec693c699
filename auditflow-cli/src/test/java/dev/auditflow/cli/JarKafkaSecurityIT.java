package dev.auditflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.cli.jar.JarApi;
import dev.auditflow.cli.jar.JarProcess;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.RedisServerProcess;
import dev.auditflow.server.testing.TestCertificates;
import dev.auditflow.server.testing.TestDatabase;
import dev.auditflow.testkit.kafka.KafkaCluster;
import dev.auditflow.testkit.kafka.SecuredListener;
import java.io.Writer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kafka mode against a broker that takes only SASL/PLAIN over TLS, with ACLs (docs/SCALE.md, "Who
 * may write the topic"): an operator's {@code kafka init}, an ingest node and a writer, each with
 * its own principal given by {@code --kafka-config}, as the documented deployment has it — the
 * ingest nodes alone may append to the topic, the writers read it in their group.
 */
class JarKafkaSecurityIT {
  private static final Duration START = Duration.ofMinutes(2);
  private static final String TOPIC = "auditflow.events";

  private static Path work;
  private static KafkaCluster kafka;
  private static SecuredListener listener;
  private static final Map<String, String> passwords = new HashMap<>();
  private static String db;
  private static JarProcess ingest;
  private static JarProcess writer;
  private static URI ingestUri;
  private static String admin;

  @BeforeAll
  static void start() throws Exception {
    work = Files.createTempDirectory("auditflow-jar-kafka-security");
    for (String user : List.of("operator", "ingest", "writer")) {
      passwords.put(user, user + "-" + UUID.randomUUID());
    }
    TestCertificates tls = TestCertificates.create(work.resolve("tls"));
    listener = new SecuredListener(tls.certificate(), tls.privateKey(), passwords, "operator");
    kafka = KafkaCluster.start(work.resolve("kafka"), 1, listener);
    db = TestDatabase.create();
    JarProcess init = JarProcess.of(Files.createDirectories(work.resolve("init")), "kafka", "init",
        "--kafka-bootstrap", kafka.securedBootstrapServers(), "--kafka-config", clientConfig("operator").toString(),
        "--partitions", "2", "--replication-factor", "1", "--min-insync-replicas", "1");
    assertThat(init.run(START)).as(init.output()).isZero();
    assertThat(init.output()).contains("created topic " + TOPIC + ": 2 partitions");
    grant("ingest", new ResourcePattern(ResourceType.TOPIC, TOPIC, PatternType.LITERAL), AclOperation.WRITE);
    grant("writer", new ResourcePattern(ResourceType.TOPIC, TOPIC, PatternType.LITERAL), AclOperation.READ);
    grant("writer", new ResourcePattern(ResourceType.GROUP, "auditflow-writers", PatternType.LITERAL),
        AclOperation.READ);
    int ingestPort = RedisServerProcess.freePort();
    int writerPort = RedisServerProcess.freePort();
    Path ingestDir = Files.createDirectories(work.resolve("ingest"));
    // The ingest node migrates the database; the writer waits for it to be ready first.
    ingest = JarProcess.of(ingestDir, "serve", "--host", "127.0.0.1", "--port", Integer.toString(ingestPort),
        "--database-url", db, "--kafka-bootstrap", kafka.securedBootstrapServers(),
        "--kafka-config", clientConfig("ingest").toString()).start();
    ingestUri = URI.create("http://127.0.0.1:" + ingestPort);
    ingest.awaitHttp200(ingestUri, "/health/ready", START);
    admin = Files.readString(ingestDir.resolve("auditflow-data/admin.token")).trim();
    writer = JarProcess.of(Files.createDirectories(work.resolve("writer")), "worker", "--host", "127.0.0.1",
        "--port", Integer.toString(writerPort), "--database-url", db, "--kafka-bootstrap",
        kafka.securedBootstrapServers(), "--kafka-config", clientConfig("writer").toString()).start();
    writer.awaitHttp200(URI.create("http://127.0.0.1:" + writerPort), "/health/ready", START);
  }

  @AfterAll
  static void stop() throws Exception {
    CompletableFuture.allOf(CompletableFuture.runAsync(() -> close(ingest)),
        CompletableFuture.runAsync(() -> close(writer))).join();
    if (kafka != null) {
      kafka.close();
    }
    TestDatabase.drop(db);
  }

  private static void close(JarProcess p) {
    try {
      if (p != null) {
        p.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** {@code user}'s client properties as a {@code --kafka-config} file, its password as given. */
  private static Path clientConfig(String user, String password) throws Exception {
    Properties p = new Properties();
    p.putAll(listener.clientConfig(user, password));
    Path file = work.resolve(user + "-" + Integer.toHexString(password.hashCode()) + ".properties");
    try (Writer out = Files.newBufferedWriter(file)) {
      p.store(out, "Kafka client settings of " + user);
    }
    return file;
  }

  private static Path clientConfig(String user) throws Exception {
    return clientConfig(user, passwords.get(user));
  }

  private static void grant(String user, ResourcePattern resource, AclOperation operation) throws Exception {
    try (Admin a = kafka.admin()) {
      a.createAcls(List.of(new AclBinding(resource, new AccessControlEntry(SecuredListener.principal(user), "*",
          operation, AclPermissionType.ALLOW)))).all().get(30, TimeUnit.SECONDS);
    }
  }

  private static String outputs() {
    return ingest.output() + writer.output();
  }

  @Test
  void eventsGoThroughTheSecuredBrokerUnderTheIngestAndWriterPrincipalsAndNoPasswordIsLogged() throws Exception {
    String correlation = "secured-" + UUID.randomUUID();
    ArrayNode batch = EventJson.array(EventJson.valid(correlation), EventJson.valid(correlation),
        EventJson.valid(correlation));
    JarApi api = new JarApi(ingestUri, admin);
    var accepted = api.call("POST", "/api/v1/audit/events/batch", batch.toString());
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(201);
    assertThat(AuditEventJson.mapper().readTree(accepted.body()).get("status").asText()).isEqualTo("accepted");
    await().atMost(Duration.ofSeconds(30)).until(() -> AuditEventJson.mapper().readTree(
        api.call("GET", "/api/v1/audit/events?correlation_id=" + correlation, null).body()).get("data").size() == 3);
    JsonNode verified = AuditEventJson.mapper().readTree(api.call("POST", "/api/v1/audit/verify",
        "{\"correlation_id\":\"" + correlation + "\"}").body());
    assertThat(verified.get("verified").asBoolean()).as(verified.toString()).isTrue();
    JsonNode ready = AuditEventJson.mapper().readTree(api.call("GET", "/health/ready", null).body());
    assertThat(ready.get("kafka").asText()).as(ready.toString()).isEqualTo("up");
    for (String password : passwords.values()) {
      assertThat(outputs()).doesNotContain(password);
    }
    // Neither node was refused anything it needs: the writer, which may not write, never tries to.
    assertThat(writer.output()).contains("kafka partition assigned");
    assertThat(outputs()).as(outputs()).doesNotContain("AuthorizationException").doesNotContain("ERROR");
  }

  @Test
  void theWritersPrincipalCannotAppendToTheTopic() throws Exception {
    // What the documented ACLs buy: a writer's credentials read the topic, and cannot forge records in it.
    Map<String, Object> config = new HashMap<>(listener.clientConfig("writer", passwords.get("writer")));
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.securedBootstrapServers());
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
    try (KafkaProducer<String, byte[]> forger = new KafkaProducer<>(config, new StringSerializer(),
        new ByteArraySerializer())) {
      assertThatThrownBy(() -> forger.send(new ProducerRecord<>(TOPIC, "forged", new byte[] {'{', '}'}))
          .get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).cause().isInstanceOf(TopicAuthorizationException.class);
    }
  }

  @Test
  void kafkaInitSaysInOneLineWhenTheCredentialsAreWrongOrTheUserMayNotCreateTopics() throws Exception {
    String wrong = "not-" + passwords.get("operator");
    List<String[]> attempts = new ArrayList<>();
    attempts.add(new String[] {clientConfig("operator", wrong).toString(), "Kafka did not accept the credentials",
        "check the user and password"});
    attempts.add(new String[] {clientConfig("ingest").toString(), "Kafka refused", "an operator's"});
    for (String[] attempt : attempts) {
      JarProcess init = JarProcess.of(Files.createDirectories(work.resolve("init-refused")), "kafka", "init",
          "--kafka-bootstrap", kafka.securedBootstrapServers(), "--kafka-config", attempt[0],
          "--kafka-topic", "auditflow.other", "--replication-factor", "1", "--min-insync-replicas", "1");
      assertThat(init.run(START)).as(init.output()).isNotZero();
      assertThat(init.output()).contains(attempt[1]).contains(attempt[2]).doesNotContain("\tat ")
          .doesNotContain(wrong);
    }
    try (Admin a = kafka.admin()) {
      assertThat(a.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain("auditflow.other");
    }
  }
}
