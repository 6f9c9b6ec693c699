package dev.auditflow.server;

import dev.auditflow.api.EventValidator;
import dev.auditflow.api.ValidationRules;
import dev.auditflow.server.auth.ApiTokens;
import dev.auditflow.server.auth.RoutePolicy;
import dev.auditflow.server.auth.Security;
import dev.auditflow.server.chain.ChainVerifier;
import dev.auditflow.server.chain.VerifyChainRoute;
import dev.auditflow.server.chain.VerifyRoutes;
import dev.auditflow.server.console.ConsoleHealthRoute;
import dev.auditflow.server.completeness.Completeness;
import dev.auditflow.server.completeness.CompletenessWatch;
import dev.auditflow.server.completeness.ProducerRoutes;
import dev.auditflow.server.console.ConsoleRoutes;
import dev.auditflow.server.db.Database;
import dev.auditflow.server.dlq.DeadLetterQueue;
import dev.auditflow.server.dlq.ReplayWorker;
import dev.auditflow.server.export.ExportRoutes;
import dev.auditflow.server.export.JsonExporter;
import dev.auditflow.server.export.NdjsonExporter;
import dev.auditflow.server.hold.LegalHoldRoutes;
import dev.auditflow.server.hold.LegalHolds;
import dev.auditflow.server.http.ErrorHandling;
import dev.auditflow.server.http.HeadRoutes;
import dev.auditflow.server.http.HeaderTimeout;
import dev.auditflow.server.http.QueryStringGuard;
import dev.auditflow.server.http.RequestTracking;
import dev.auditflow.server.ingest.DirectIntake;
import dev.auditflow.server.ingest.EventIntake;
import dev.auditflow.server.ingest.IngestRoutes;
import dev.auditflow.server.otlp.OtlpLogs;
import dev.auditflow.server.otlp.OtlpRoutes;
import dev.auditflow.server.ingest.IngestService;
import dev.auditflow.server.kafka.IngestLogRoutes;
import dev.auditflow.server.kafka.IngestLogStatus;
import dev.auditflow.server.kafka.KafkaIntake;
import dev.auditflow.server.kafka.KafkaWriter;
import dev.auditflow.server.log.LogRoutes;
import dev.auditflow.server.log.LogSchedule;
import dev.auditflow.server.ops.OpsRoutes;
import dev.auditflow.server.query.CountFolding;
import dev.auditflow.server.query.QueryParameters;
import dev.auditflow.server.query.QueryRoutes;
import dev.auditflow.server.retention.PurgeSchedule;
import dev.auditflow.server.retention.RetentionPolicies;
import dev.auditflow.server.retention.RetentionRoutes;
import dev.auditflow.server.runtime.ServerRuntime;
import dev.auditflow.server.signing.KnownKeys;
import dev.auditflow.server.signing.SigningKey;
import dev.auditflow.server.tls.TlsConnector;
import dev.auditflow.server.trail.AuditTrail;
import dev.auditflow.server.trail.CheckpointSigner;
import dev.auditflow.server.trail.ParentLookup;
import dev.auditflow.server.trail.PostgresTrail;
import dev.auditflow.server.trail.ServerRecord;
import dev.auditflow.server.workflow.WorkflowRoutes;
import dev.auditflow.server.workflow.WorkflowService;
import dev.auditflow.verify.ChainHasher;
import dev.auditflow.verify.PublicKeys;
import io.javalin.Javalin;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.auditflow.server.failure.ConfigurationException;
import dev.auditflow.server.shard.Placement;
import dev.auditflow.server.shard.ShardCatalog;
import dev.auditflow.server.shard.ShardedTrail;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Data Storage service: wires the database, the feature routes and the HTTP server, and
 * stops them in the order that loses nothing — refuse new requests, let in-flight ones finish,
 * stop HTTP, close the pool.
 */
public final class AuditServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AuditServer.class);

  private final ServerConfig config;
  private final PrometheusMeterRegistry registry;
  private final Database database;
  private final RequestTracking requests;
  private final Javalin app;
  private final DeadLetterQueue dlq;
  /** The replicated ingest log requests go to in Kafka mode (docs/SCALE.md); null when they go straight to the trail. */
  private final KafkaIntake kafka;
  /** The ingest log's lag as readiness and the console show it (Kafka mode); closed with the server. */
  private final IngestLogStatus ingestLogStatus;
  /** This process's Kafka writer, when it runs one; started with the server. */
  private KafkaWriter kafkaWriter;
  private final ReplayWorker replay;
  private final Security security;
  private final TlsConnector tls;
  private final Javalin management;
  private final PurgeSchedule purgeSchedule;
  private final CountFolding countFolding;
  private final AuditTrail trail;
  private final CompletenessWatch completenessWatch;
  /** How often unaccounted loss is looked for, and over which epochs (those seen this long ago or since). */
  private static final Duration COMPLETENESS_CHECK_INTERVAL = Duration.ofMinutes(1);
  private static final Duration COMPLETENESS_WINDOW = Duration.ofDays(1);
  private final LogSchedule logSchedule;
  private final ServerRuntime runtime;
  private final List<HeaderTimeout> headerTimeouts = new ArrayList<>();
  private boolean stopped;

  private AuditServer(ServerConfig config, Clock clock) {
    this.config = config;
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    this.runtime = ServerRuntime.threads(clock);
    // What is open when a later step throws is closed again, newest first: a failed start leaks no pool or thread.
    Deque<AutoCloseable> opened = new ArrayDeque<>(List.of(runtime));
    try {
      this.database = Database.open(config.database(), registry);
      opened.push(database);
      EventValidator validator = new EventValidator(new ValidationRules(config.maxFutureSkew(), config.maxEventAge(), clock,
          config.compatibility().versionRequired()));
      ChainHasher hasher = config.chainKey() == null ? ChainHasher.sha256() : ChainHasher.hmac(config.chainKey());
      RetentionPolicies retention = new RetentionPolicies(database, clock);
      KnownKeys keys = new KnownKeys(database, signingKey(config.lifecycle()), trustedKeys(config.lifecycle()), clock);
      SigningKey signing = keys.current();
      CheckpointSigner checkpointSigner = new CheckpointSigner(signing);
      PostgresTrail.Settings trailSettings = new PostgresTrail.Settings(config.log().enabled(),
          config.log().maxLeavesPerRound(), config.limits().maxAnswerBytes(), config.log().replicatedCheckpoints(), null);
      boolean sharded = !config.shards().isEmpty();
      StoreOpener store = (db, settings, parents) -> PostgresTrail.open(db, hasher, retention, keys, checkpointSigner,
          settings, parents, registry, clock);
      List<Database> stores = new ArrayList<>(List.of(database));
      Map<String, Database> shardDatabases = new TreeMap<>();
      if (!sharded) {
        this.trail = store.open(database, trailSettings, ParentLookup.NOWHERE);
      } else {
        for (Map.Entry<String, String> shard : new TreeMap<>(config.shards()).entrySet()) {
          Database shardDatabase = Database.open(config.database().on(shard.getValue()),
              "auditflow-shard-" + shard.getKey(), registry);
          opened.push(shardDatabase);
          stores.add(shardDatabase);
          keys.registerIn(shardDatabase);
          shardDatabases.put(shard.getKey(), shardDatabase);
        }
        ShardedTrail spanning = ShardedTrail.open(placement(config), parents -> {
          Map<String, AuditTrail> trails = new LinkedHashMap<>();
          trails.put(Placement.HOME, store.open(database, trailSettings.ofShard(Placement.HOME), parents));
          shardDatabases.forEach((name, db) -> trails.put(name, store.open(db, trailSettings.ofShard(name), parents)));
          return trails;
        }, config.limits().maxAnswerBytes(), checkpointSigner, registry, clock);
        opened.push(spanning);
        this.trail = spanning;
      }
      RetentionRoutes retentionRoutes = new RetentionRoutes(retention, trail, config.lifecycle().purgeMaxEvents());
      this.purgeSchedule = config.lifecycle().purgeInterval().isZero() ? null
          : new PurgeSchedule(() -> trail.purge(false, config.lifecycle().purgeMaxEvents(), ServerRecord.Actor.SERVER),
              config.lifecycle().purgeInterval(), runtime, registry);
      this.countFolding = new CountFolding(trail::foldCounts, runtime);
      LegalHoldRoutes holdRoutes = new LegalHoldRoutes(new LegalHolds(database, trail, clock));
      this.logSchedule = config.log().enabled() ? new LogSchedule(trail.log()::integrate, config.log()) : null;
      LogRoutes logRoutes = new LogRoutes(trail.log(), checkpointSigner, config.limits().maxAnswerBytes());
      this.dlq = config.redisUrl() == null ? null
          : DeadLetterQueue.start(config.redisUrl(), config.dlqKey(), config.redisTimeout(), runtime);
      if (dlq != null) {
        opened.push(dlq);
      }
      this.replay = dlq == null ? null : new ReplayWorker(dlq, trail, database::isReachable, config.dlqMaxAttempts(), registry);
      this.kafka = config.kafka() == null ? null : KafkaIntake.open(config.kafka(), registry);
      if (kafka != null) {
        opened.push(kafka);
      }
      IngestLogStatus ingestLog = config.kafka() == null ? null : IngestLogStatus.open(config.kafka(), stores, clock);
      if (ingestLog != null) {
        opened.push(ingestLog);
      }
      this.ingestLogStatus = ingestLog;
      IngestLogRoutes ingestLogRoutes = new IngestLogRoutes(ingestLog);
      EventIntake intake = kafka != null ? kafka : new DirectIntake(trail, dlq, registry);
      IngestService ingest = new IngestService(validator, intake, config.maxBatchSize(), registry);
      ChainVerifier verifier = new ChainVerifier(trail, hasher, config.limits().maxVerifyChains());
      VerifyRoutes verifyRoutes = new VerifyRoutes(verifier, clock);
      VerifyChainRoute verifyChainRoute = new VerifyChainRoute(verifier, clock);
      WorkflowRoutes workflowRoutes = new WorkflowRoutes(new WorkflowService(database, trail, clock));
      this.requests = new RequestTracking(registry, config.retryAfter());
      IngestRoutes ingestRoutes = new IngestRoutes(ingest, config.maxBodyBytes());
      OtlpRoutes otlpRoutes = new OtlpRoutes(new OtlpLogs(ingest), config.maxBodyBytes());
      QueryRoutes queryRoutes = new QueryRoutes(trail,
          new QueryParameters(clock, config.compatibility().defaultQueryLimit()), clock);
      this.security = Security.create(config.auth(), config.limits().readsPerPrincipal(), database, trail, registry, clock);
      opened.push(security);
      ExportRoutes exportRoutes = new ExportRoutes(new JsonExporter(trail, verifier, signing, clock),
          new NdjsonExporter(trail, verifier, signing, clock), security.accessAudit(), signing, clock);
      Completeness completeness = new Completeness(trail, config.completenessGrace(), clock);
      ProducerRoutes producerRoutes = new ProducerRoutes(completeness, clock);
      this.completenessWatch = new CompletenessWatch(completeness, COMPLETENESS_CHECK_INTERVAL,
          COMPLETENESS_WINDOW.plus(config.completenessGrace()), runtime, registry);
      ConsoleRoutes consoleRoutes = new ConsoleRoutes(security, config.tls() != null);
      ConsoleHealthRoute consoleHealth = new ConsoleHealthRoute(registry, dlq, ingestLog, trail.log(), clock);
      OpsRoutes ops = new OpsRoutes(database, shardDatabases, dlq, replay, ingestLog, registry, requests::draining,
          security.enabled(), clock);
      this.tls = config.tls() == null ? null : new TlsConnector(config.tls(), runtime, registry);
      if (tls != null) {
        opened.push(tls);
      }
      if (security.enabled() && tls == null && !isLoopback(config.host())) {
        log.warn("authentication is on but TLS is off on {}: bearer tokens cross the network in clear text;"
            + " serve HTTPS with --tls-cert and --tls-key", config.host());
      }
      this.app = Javalin.create(javalin -> {
        javalin.startup.showJavalinBanner = false;
        javalin.startup.showOldJavalinVersionWarning = false;
        javalin.http.maxRequestSize = config.maxBodyBytes();
        javalin.http.prefer405over404 = true;
        javalin.jetty.host = config.host();
        javalin.jetty.port = config.port();
        if (tls != null) {
          javalin.jetty.addConnector((server, http) -> tls.connector(server, http, config.host(), config.port()));
        }
        requests.install(javalin);
        headerTimeouts.add(HeaderTimeout.install(javalin, config.limits().headerTimeout(), registry));
        QueryStringGuard.install(javalin);
        ErrorHandling.install(javalin, config.retryAfter(), config.compatibility().vocabulary(),
            Map.of(OtlpRoutes.LOGS, OtlpRoutes::fail));
        security.install(javalin);
        // The count route is registered before {event_id} so "count" is never read as an id.
        queryRoutes.register(javalin);
        ingestRoutes.register(javalin);
        otlpRoutes.register(javalin);
        verifyRoutes.register(javalin);
        verifyChainRoute.register(javalin);
        workflowRoutes.register(javalin);
        holdRoutes.register(javalin);
        retentionRoutes.register(javalin);
        exportRoutes.register(javalin);
        logRoutes.register(javalin);
        producerRoutes.register(javalin);
        consoleRoutes.register(javalin);
        consoleHealth.register(javalin);
        ingestLogRoutes.register(javalin);
        ops.register(javalin, config.managementPort() == null);
      });
      HeadRoutes.mirrorGets(app);
      this.management = config.managementPort() == null ? null : Javalin.create(javalin -> {
        javalin.startup.showJavalinBanner = false;
        javalin.startup.showOldJavalinVersionWarning = false;
        javalin.jetty.host = config.host();
        javalin.jetty.port = config.managementPort();
        headerTimeouts.add(HeaderTimeout.install(javalin, config.limits().headerTimeout(), registry));
        ops.registerManagement(javalin);
      });
      if (management != null) {
        HeadRoutes.mirrorGets(management);
      }
    } catch (RuntimeException e) {
      closeAll(opened, e);
      throw e;
    }
  }

  /**
   * The catalog's placement of the topic's partitions on the shards: stored once by {@code
   * auditflow shards init}, the same for every node.
   */
  private Placement placement(ServerConfig config) {
    try (Connection c = database.connection()) {
      return ShardCatalog.load(c, config.shardedTopic()).orElseThrow(() -> new ConfigurationException(
          "the catalog places no partition of topic " + config.shardedTopic() + " on a shard: run `auditflow shards"
              + " init` with the same --shard options first (docs/SCALE.md, \"Shards\")"));
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the catalog's shard placement: " + e.getMessage(), e);
    }
  }

  /** Opens the trail's storage on one database: the one trail, or one shard of several. */
  @FunctionalInterface
  private interface StoreOpener {
    PostgresTrail open(Database database, PostgresTrail.Settings settings, ParentLookup parentsElsewhere);
  }

  private static void closeAll(Deque<AutoCloseable> opened, RuntimeException failure) {
    for (AutoCloseable resource : opened) {
      try {
        resource.close();
      } catch (Exception e) {
        failure.addSuppressed(e);
      }
    }
  }

  private static SigningKey signingKey(LifecycleSettings lifecycle) {
    if (lifecycle.signingKeyFile() != null) {
      return SigningKey.loadOrCreate(lifecycle.signingKeyFile());
    }
    SigningKey ephemeral = SigningKey.ephemeral();
    log.warn("no signing key file: exports and purge records are signed with a key that dies with this process"
        + " (key_id={}); give serve --signing-key-file", ephemeral.keyId());
    return ephemeral;
  }

  private static List<PublicKey> trustedKeys(LifecycleSettings lifecycle) {
    List<PublicKey> keys = new ArrayList<>();
    for (Path file : lifecycle.trustedSigningKeys()) {
      try {
        keys.add(PublicKeys.fromPem(Files.readString(file)));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the trusted signing key " + file, e);
      }
    }
    return keys;
  }

  private static boolean isLoopback(String host) {
    return host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1");
  }

  /** Opens the database (migrating it), then starts serving HTTP. */
  public static AuditServer start(ServerConfig config) {
    return start(config, Clock.systemUTC());
  }

  /** As {@link #start(ServerConfig)}, with the clock that validation and relative times use. */
  public static AuditServer start(ServerConfig config, Clock clock) {
    AuditServer server = new AuditServer(config, clock);
    try {
      server.app.start();
      if (server.management != null) {
        server.management.start();
      }
    } catch (RuntimeException e) {
      server.app.stop();
      server.closeStores();
      throw e;
    }
    if (server.replay != null) {
      server.replay.start(server.runtime);
    }
    if (server.logSchedule != null) {
      server.logSchedule.start(server.runtime);
    }
    if (config.kafkaWriter()) {
      server.kafkaWriter = KafkaWriter.start(config.kafka(), server.trail, server.registry, clock);
    }
    log.info("auditflow server listening port={} scheme={} auth={} management_port={} max_body_bytes={}"
            + " max_batch_size={} pool_size={} compatibility={}", server.port(), server.tls == null ? "http" : "https",
        server.security.enabled() ? "on" : "none", server.management == null ? "none" : server.managementPort(),
        config.maxBodyBytes(), config.maxBatchSize(), config.poolSize(),
        config.compatibility().name().toLowerCase(java.util.Locale.ROOT));
    String scheme = server.tls == null ? "http" : "https";
    String host = config.host().equals("0.0.0.0") || config.host().equals("::") ? "localhost" : config.host();
    log.info("web console at {}://{}:{}/ui (sign in with a token; the first admin token is in the admin token file)",
        scheme, host, server.port());
    return server;
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return app.port();
  }

  /** The management port actually bound, or -1 without one. */
  public int managementPort() {
    return management == null ? -1 : management.port();
  }

  /** The API tokens of this server's database (tests and tools make tokens with it). */
  public ApiTokens apiTokens() {
    return security.tokens();
  }

  /**
   * Every HTTP route served, as {@code "GET /path/{param}"}, for checking against the OpenAPI
   * document (which, as OpenAPI does, leaves out the HEAD beside each GET).
   */
  public List<String> routes() {
    return app.unsafe.internalRouter.allHttpHandlers().stream()
        .map(parsed -> parsed.endpoint)
        .filter(e -> e.method.isHttpMethod() && e.method != io.javalin.http.HandlerType.HEAD)
        .map(e -> e.method.name() + " " + RoutePolicy.documented(e.path))
        .toList();
  }

  public Database database() {
    return database;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * Stops gracefully: readiness turns 503 and new API requests are refused with {@code
   * Retry-After}, in-flight requests get up to the drain timeout, then HTTP and the pool stop.
   */
  @Override
  public synchronized void close() {
    if (stopped) {
      return;
    }
    stopped = true;
    try {
      if (!requests.drain(config.drainTimeout())) {
        log.warn("stopping with requests still in flight in_flight={} drain_timeout_ms={}",
            requests.inFlight(), config.drainTimeout().toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (purgeSchedule != null) {
      purgeSchedule.close();
    }
    if (logSchedule != null) {
      logSchedule.close();
    }
    countFolding.close();
    completenessWatch.close();
    app.stop();
    security.close();
    if (kafkaWriter != null) {
      kafkaWriter.close();
    }
    if (management != null) {
      management.stop();
    }
    if (tls != null) {
      tls.close();
    }
    headerTimeouts.forEach(HeaderTimeout::close);
    if (replay != null) {
      // Events parked while the database was down go in now, if it is back: no accepted event
      // waits in Redis for a server that is not coming back soon.
      boolean empty = replay.drain(config.drainTimeout());
      log.info("dlq drained on stop empty={}", empty);
      replay.close();
    }
    closeStores();
    log.info("auditflow server stopped");
  }

  private void closeStores() {
    runtime.close();
    if (kafka != null) {
      kafka.close();
    }
    if (ingestLogStatus != null) {
      ingestLogStatus.close();
    }
    if (dlq != null) {
      dlq.close();
    }
    database.close();
  }

  /** The trail: tests run a log round when they need one now, not in a moment, and read what was stored. */
  public AuditTrail trail() {
    return trail;
  }

  /** This process's Kafka writer, or null when it runs none. */
  public KafkaWriter kafkaWriter() {
    return kafkaWriter;
  }

  /** The DLQ replay worker, or null without a DLQ. */
  public ReplayWorker replayWorker() {
    return replay;
  }
}
