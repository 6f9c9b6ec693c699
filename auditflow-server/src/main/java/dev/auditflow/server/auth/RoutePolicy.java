package dev.auditflow.server.auth;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The one place that says, for every route, who may call it: no one needs to be authenticated
 * (health, readiness, the OpenAPI document, and the metrics unless they are moved to a management
 * port), or which role is required — and which calls are themselves audited. A route missing here
 * is refused to everyone (fail closed), and {@code RouteAccessMatrixTest} fails if any route of
 * the OpenAPI document is missing.
 */
public final class RoutePolicy {
  /**
   * What a route requires.
   *
   * @param role null for a public route
   * @param operation the name of the call in access audit events ({@code events.query}, …), or
   *     null when calling it is not audited: public routes; ingest, whose result is itself an
   *     audit event; the workflow catalog, whose changes are audited where they happen; and the
   *     dead-letter queue's state
   */
  public record Access(Role role, String operation) {
    public boolean isPublic() {
      return role == null;
    }
  }

  private static final Access PUBLIC = new Access(null, null);
  private final Map<String, Access> routes = new LinkedHashMap<>();

  private RoutePolicy() {}

  /** The policy of every route auditflow serves. */
  public static RoutePolicy standard() {
    RoutePolicy p = new RoutePolicy();
    p.open("GET /health/live");
    p.open("GET /health/ready");
    p.open("GET /health");
    p.open("GET /readyz");
    p.open("GET /healthz");
    p.open("GET /openapi.yaml");
    p.open("GET /metrics");
    p.require("POST /api/v1/audit/events", Role.WRITER, null);
    p.require("POST /api/v1/audit/events/batch", Role.WRITER, null);
    p.require("POST /v1/logs", Role.WRITER, null);
    p.require("GET /api/v1/audit/events", Role.READER, "events.query");
    p.require("GET /api/v1/audit/events/count", Role.READER, "events.count");
    p.require("GET /api/v1/audit/events/histogram", Role.READER, "events.histogram");
    p.require("GET /api/v1/audit/events/{event_id}", Role.READER, "events.get");
    p.require("POST /api/v1/audit/verify", Role.READER, "chains.verify");
    p.require("POST /api/v1/audit/verify-chain", Role.READER, "chains.verify");
    // The catalog is not the audit trail (its changes are audited in their own transaction), and
    // the dead-letter queue's state must stay readable while the database is down.
    p.require("GET /api/v1/workflows", Role.READER, null);
    p.require("GET /api/v1/workflows/{workflow_id}", Role.READER, null);
    p.require("GET /api/v1/workflows/by-name/{workflow_name}/versions", Role.READER, null);
    p.require("POST /api/v1/workflows", Role.ADMIN, null);
    p.require("PATCH /api/v1/workflows/{workflow_id}", Role.ADMIN, null);
    p.require("PATCH /api/v1/workflows/{workflow_id}/disable", Role.ADMIN, null);
    p.require("GET /api/v1/admin/dlq", Role.ADMIN, null);
    p.require("GET /api/v1/admin/kafka", Role.ADMIN, null);
    p.require("POST /api/v1/admin/tokens", Role.ADMIN, "tokens.create");
    p.require("GET /api/v1/admin/tokens", Role.ADMIN, "tokens.list");
    p.require("DELETE /api/v1/admin/tokens/{token_id}", Role.ADMIN, "tokens.revoke");
    // Placing and releasing holds is recorded by LegalHolds itself, in the hold's own transaction.
    p.require("POST /api/v1/audit/legal-hold", Role.ADMIN, null);
    p.require("GET /api/v1/audit/legal-hold", Role.AUDITOR, "legal_holds.list");
    p.require("GET /api/v1/audit/export", Role.AUDITOR, "events.export");
    p.require("GET /api/v1/audit/signing-key", Role.READER, null);
    p.require("DELETE /api/v1/audit/legal-hold/{correlation_id}", Role.ADMIN, null);
    p.require("GET /api/v1/admin/retention-policies", Role.AUDITOR, "retention.policies.list");
    p.require("PUT /api/v1/admin/retention-policies", Role.ADMIN, "retention.policies.set");
    p.require("DELETE /api/v1/admin/retention-policies/{policy_id}", Role.ADMIN, "retention.policies.remove");
    // A real purge also writes its own event with the counts; the access record says who asked.
    p.require("POST /api/v1/admin/purge", Role.ADMIN, "retention.purge");
    // Checkpoints, the key and consistency proofs are what witnesses poll; recording each poll
    // as an event would grow the log by its own observation. Reading events through the log is
    // reading events, and is audited as such.
    p.require("GET /api/v1/log/checkpoint", Role.READER, null);
    p.require("GET /api/v1/log/key", Role.READER, null);
    p.require("GET /api/v1/log/proof/consistency", Role.READER, null);
    // With shards (docs/SCALE.md): each shard's own log, for witnesses that watch a shard too.
    p.require("GET /api/v1/log/shards/{shard}/checkpoint", Role.READER, null);
    p.require("GET /api/v1/log/shards/{shard}/key", Role.READER, null);
    p.require("GET /api/v1/log/shards/{shard}/proof/consistency", Role.READER, null);
    p.require("GET /api/v1/log/tile/{level}/{index}", Role.READER, null);
    p.require("GET /api/v1/log/proof/inclusion", Role.READER, "log.prove");
    p.require("GET /api/v1/log/entries", Role.AUDITOR, "log.entries");
    p.require("GET /api/v1/log/shards/{shard}/entries", Role.AUDITOR, "log.entries");
    // Producers' accounts say what was emitted and lost, not what happened: a reader's question.
    p.require("GET /api/v1/producers", Role.READER, "producers.list");
    p.require("GET /api/v1/producers/{producer_id}/epochs/{epoch}", Role.READER, "producers.get");
    // The web console: its page and assets hold no data; its session routes check the cookie (and
    // the CSRF token) themselves; what it shows comes through the routes above, audited as ever.
    p.open("GET /");
    p.open("GET /ui");
    p.open("GET /ui/assets/{file}");
    p.open("GET /ui/session");
    p.open("POST /ui/session");
    p.open("DELETE /ui/session");
    p.require("GET /api/v1/console/health", Role.READER, null);
    return p;
  }

  private void open(String route) {
    routes.put(route, PUBLIC);
  }

  private void require(String route, Role role, String operation) {
    routes.put(route, new Access(role, operation));
  }

  /**
   * The access rule of {@code METHOD /path/{template}}, or empty when the route is not declared. A
   * {@code HEAD} is its {@code GET} without the body (RFC 9110 §9.3.2): same rule, same record.
   */
  public Optional<Access> access(String method, String routeTemplate) {
    return Optional.ofNullable(routes.get((method.equals("HEAD") ? "GET" : method) + " " + documented(routeTemplate)));
  }

  /**
   * A route template as the OpenAPI document and this policy write it: Javalin's {@code <name>}
   * (a parameter that spans slashes, as a tile index does) is {@code {name}}.
   */
  public static String documented(String routeTemplate) {
    return routeTemplate.replaceAll("<([^>/]+)>", "{$1}");
  }

  /** Every declared route, as {@code METHOD /path}. */
  public Map<String, Access> routes() {
    return Map.copyOf(routes);
  }
}
