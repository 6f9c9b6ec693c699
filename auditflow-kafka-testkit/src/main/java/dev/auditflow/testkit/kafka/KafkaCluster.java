package dev.auditflow.testkit.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;

/**
 * A KRaft cluster of real Apache Kafka brokers on loopback, for tests: each node a child JVM in
 * combined mode (broker and controller; every node a voter of the metadata quorum) with its own
 * log directory and two ports, run from the broker artifacts on Maven Central — the classpath the
 * build wrote to {@code broker.classpath}. Nodes are formatted and started in parallel, and a start
 * waits for the cluster to report every broker, not for a fixed time.
 *
 * <p>A node can be SIGKILLed and started again on its log directory, as a real broker crashes.
 */
public final class KafkaCluster implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Path directory;
  private final String clusterId = Uuid.randomUuid().toString();
  private final int[] brokerPorts;
  private final int[] controllerPorts;
  private final int[] securedPorts;
  private final SecuredListener secured;
  private final Process[] processes;
  private final String classpath;

  private KafkaCluster(Path directory, int nodes, SecuredListener secured) throws IOException {
    this.directory = directory;
    this.secured = secured;
    this.brokerPorts = new int[nodes];
    this.controllerPorts = new int[nodes];
    this.securedPorts = new int[nodes];
    this.processes = new Process[nodes];
    for (int i = 0; i < nodes; i++) {
      brokerPorts[i] = freePort();
      controllerPorts[i] = freePort();
      securedPorts[i] = secured == null ? 0 : freePort();
    }
    this.classpath = brokerClasspath();
  }

  /** Formats and starts {@code nodes} nodes under {@code directory} and waits until every broker is up. */
  public static KafkaCluster start(Path directory, int nodes) throws IOException, InterruptedException {
    return start(directory, nodes, null);
  }

  /**
   * As {@link #start(Path, int)}, each node also listening for clients on {@code secured} (none
   * for null): its addresses are {@link #securedBootstrapServers()}.
   */
  public static KafkaCluster start(Path directory, int nodes, SecuredListener secured)
      throws IOException, InterruptedException {
    KafkaCluster cluster = new KafkaCluster(directory, nodes, secured);
    try {
      cluster.formatAll();
      for (int i = 0; i < nodes; i++) {
        cluster.launch(i);
      }
      cluster.awaitBrokers(nodes);
      return cluster;
    } catch (IOException | InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** {@code host:port,…} of every node's broker listener. */
  public String bootstrapServers() {
    return IntStream.of(brokerPorts).mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
  }

  /** {@code host:port,…} of every node's {@link SecuredListener}. */
  public String securedBootstrapServers() {
    if (secured == null) {
      throw new IllegalStateException("this cluster was started without a secured listener");
    }
    return IntStream.of(securedPorts).mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
  }

  public int size() {
    return processes.length;
  }

  /** An admin client of this cluster; the caller closes it. */
  public Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
  }

  /** Creates a topic and waits until every partition has a leader. */
  public void createTopic(String name, int partitions, int replicationFactor, int minInsyncReplicas)
      throws InterruptedException {
    try (Admin admin = admin()) {
      admin.createTopics(List.of(new NewTopic(name, partitions, (short) replicationFactor)
          .configs(Map.of("min.insync.replicas", Integer.toString(minInsyncReplicas))))).all().get();
      Instant deadline = Instant.now().plus(START_TIMEOUT);
      while (true) {
        TopicDescription topic = null;
        try {
          topic = admin.describeTopics(List.of(name)).allTopicNames().get().get(name);
          if (topic.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
            return;
          }
        } catch (ExecutionException e) {
          // The broker that answered has not heard of the new topic yet (its metadata lags the
          // controller's): ask again, as for a partition without a leader.
          if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
            throw e;
          }
        }
        if (Instant.now().isAfter(deadline)) {
          throw new IllegalStateException("topic " + name + " has partitions without a leader: " + topic);
        }
        Thread.sleep(50);
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot create topic " + name + ": " + e.getCause(), e.getCause());
    }
  }

  /** The node (0-based) that leads a partition now. */
  public int leaderOf(String topic, int partition) throws InterruptedException {
    try (Admin admin = admin()) {
      TopicPartitionInfo info = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic)
          .partitions().get(partition);
      Node leader = info.leader();
      return nodeIndex(leader.port());
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot describe " + topic + ": " + e.getCause(), e.getCause());
    }
  }

  private int nodeIndex(int brokerPort) {
    for (int i = 0; i < brokerPorts.length; i++) {
      if (brokerPorts[i] == brokerPort) {
        return i;
      }
    }
    throw new IllegalStateException("no node listens on " + brokerPort);
  }

  /** SIGKILLs node {@code i} (0-based): no shutdown, its log directory as a crash leaves it. */
  public void kill(int i) throws InterruptedException {
    Process p = processes[i];
    if (p != null && p.isAlive()) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /**
   * Starts node {@code i} again on its log directory and waits until it answers itself (the others
   * may still list the dead node for a while, so their word is not enough).
   */
  public void restart(int i) throws IOException, InterruptedException {
    kill(i);
    launch(i);
    awaitBrokers("127.0.0.1:" + brokerPorts[i], processes.length);
  }

  private void formatAll() throws IOException, InterruptedException {
    List<Process> formats = new ArrayList<>();
    for (int i = 0; i < processes.length; i++) {
      Path config = writeConfig(i);
      formats.add(java(i, "format", "kafka.tools.StorageTool", "format", "--cluster-id", clusterId, "--config",
          config.toString()));
    }
    for (int i = 0; i < formats.size(); i++) {
      Process f = formats.get(i);
      if (!f.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || f.exitValue() != 0) {
        f.destroyForcibly();
        throw new IllegalStateException("formatting node " + i + " failed: " + tail(log(i, "format")));
      }
    }
  }

  private Path writeConfig(int i) throws IOException {
    int n = processes.length;
    String voters = IntStream.range(0, n).mapToObj(k -> (k + 1) + "@127.0.0.1:" + controllerPorts[k])
        .collect(Collectors.joining(","));
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", Integer.toString(i + 1));
    p.setProperty("controller.quorum.voters", voters);
    String advertised = "PLAINTEXT://127.0.0.1:" + brokerPorts[i];
    String protocols = "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT";
    if (secured != null) {
      advertised += ",SASL_SSL://127.0.0.1:" + securedPorts[i];
      protocols += ",SASL_SSL:SASL_SSL";
      secured.brokerConfig(directory.resolve("tls")).forEach(p::setProperty);
    }
    p.setProperty("listeners", advertised + ",CONTROLLER://127.0.0.1:" + controllerPorts[i]);
    p.setProperty("advertised.listeners", advertised);
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("listener.security.protocol.map", protocols);
    p.setProperty("log.dirs", directory.resolve("node-" + (i + 1)).toString());
    p.setProperty("auto.create.topics.enable", "false");
    // Internal topics small and replicated like the data: a test cluster of 3 starts in seconds.
    p.setProperty("offsets.topic.num.partitions", "3");
    p.setProperty("offsets.topic.replication.factor", Integer.toString(Math.min(3, n)));
    p.setProperty("transaction.state.log.num.partitions", "3");
    p.setProperty("transaction.state.log.replication.factor", Integer.toString(Math.min(3, n)));
    p.setProperty("transaction.state.log.min.isr", Integer.toString(Math.min(2, n)));
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    p.setProperty("share.coordinator.state.topic.replication.factor", Integer.toString(Math.min(3, n)));
    p.setProperty("share.coordinator.state.topic.min.isr", Integer.toString(Math.min(2, n)));
    Path file = directory.resolve("node-" + (i + 1) + ".properties");
    Files.createDirectories(directory);
    try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      p.store(out, "auditflow test broker " + (i + 1));
    }
    return file;
  }

  private void launch(int i) throws IOException {
    processes[i] = java(i, "broker", "kafka.Kafka", directory.resolve("node-" + (i + 1) + ".properties").toString());
  }

  private Process java(int i, String what, String mainClass, String... args) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xms128m", "-Xmx384m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true", "-cp", classpath, mainClass));
    command.addAll(List.of(args));
    Path log = log(i, what);
    return new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
  }

  private Path log(int i, String what) {
    return directory.resolve("node-" + (i + 1) + "-" + what + ".log");
  }

  /** Waits until the cluster describes {@code expected} brokers; a node that exits meanwhile fails the start. */
  private void awaitBrokers(int expected) throws InterruptedException {
    awaitBrokers(bootstrapServers(), expected);
  }

  private void awaitBrokers(String bootstrap, int expected) throws InterruptedException {
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000))) {
      while (true) {
        for (int i = 0; i < processes.length; i++) {
          if (processes[i] != null && !processes[i].isAlive()) {
            throw new IllegalStateException("broker node " + (i + 1) + " exited with " + processes[i].exitValue()
                + ": " + tail(log(i, "broker")));
          }
        }
        try {
          if (admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).size() == expected) {
            return;
          }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
          // not up yet
        }
        if (Instant.now().isAfter(deadline)) {
          throw new IllegalStateException("the cluster did not report " + expected + " brokers within " + START_TIMEOUT
              + "; node 1 said: " + tail(log(0, "broker")));
        }
        Thread.sleep(100);
      }
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** kafka-clients with what it needs at run time, then the broker with the rest: both written by the build. */
  private static String brokerClasspath() {
    return classpath("clients.classpath") + java.io.File.pathSeparator + classpath("broker.classpath");
  }

  private static String classpath(String resource) {
    try (InputStream in = KafkaCluster.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is missing: build auditflow-kafka-testkit with Maven");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Kills every node and deletes the cluster's directory. */
  @Override
  public void close() {
    for (int i = 0; i < processes.length; i++) {
      try {
        kill(i);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind
    }
  }
}
