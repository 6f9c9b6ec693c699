package dev.auditflow.server.trail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.EventOutcome;
import java.time.Instant;

/**
 * One record the server writes about itself — an access to the trail, a legal hold, a purge, a
 * change to the workflow catalog. It is the only way such an event is made, so that they all speak
 * one vocabulary: the names and category of {@link ServerVocabulary}, and as actor who acted — a
 * caller typed by how it authenticated ({@code token}, {@code jwt}, {@code kubernetes}, {@code
 * proxy}, or {@code none} with authentication off), or the server itself.
 *
 * @param type the event type, under a prefix of {@link ServerVocabulary}
 * @param chain the correlation id: one of the server's reserved chains
 * @param data the event's {@code event_data}, anything Jackson writes as an object
 */
public record ServerRecord(String type, String action, String chain, Actor actor, Resource resource, Object data) {

  /** Who a record says acted. */
  public record Actor(String type, String id, String ip) {
    /** The server on its own account (a scheduled purge). */
    public static final Actor SERVER = new Actor("service", "auditflow", null);

    /** An authenticated caller: typed by its authentication method, named by its principal name. */
    public static Actor caller(String method, String principalName, String ip) {
      return new Actor(method, principalName, ip);
    }

    /**
     * Someone a request names without having authenticated as them (a workflow's {@code
     * updated_by}, Kubernaut's {@code X-User-ID} with authentication off): Kubernaut's {@code user}.
     */
    public static Actor named(String name) {
      return new Actor("user", name, null);
    }
  }

  /** What a record is about. */
  public record Resource(String type, String id, String name) {
    public Resource(String type, String id) {
      this(type, id, null);
    }
  }

  /** The record as an event stamped {@code at}, ready for {@link EventWriter}. */
  public AuditEvent toEvent(Instant at) {
    return AuditEvent.builder()
        .eventType(type)
        .eventTimestamp(at)
        .eventCategory(ServerVocabulary.categoryOf(type))
        .eventAction(action)
        .eventOutcome(EventOutcome.SUCCESS)
        .correlationId(chain)
        .actorType(actor.type())
        .actorId(actor.id())
        .actorIp(actor.ip())
        .resourceType(resource.type())
        .resourceId(resource.id())
        .resourceName(resource.name())
        .eventData((JsonNode) AuditEventJson.mapper().valueToTree(data))
        .build();
  }
}
