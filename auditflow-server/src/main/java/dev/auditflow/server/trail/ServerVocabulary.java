package dev.auditflow.server.trail;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.Violation;
import dev.auditflow.api.completeness.Declaration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The names under which the server records its own events — reads of the trail, legal holds,
 * purges, changes to the workflow catalog — and which no writer may use: otherwise a writer's
 * forged {@code auditflow.access.events.query} in {@code access:token:auditor} would verify as
 * that auditor's access chain. The one list; every server record is named from it, and ingest
 * refuses events that use it (compared without case and surrounding blanks, so that {@code
 * " AuditFlow"} is no way round).
 */
public final class ServerVocabulary {
  /** The category of every record the server writes about itself. */
  public static final String CATEGORY = "auditflow";
  /** The prefix of the types of those records: {@code auditflow.access.events.query}, … */
  public static final String TYPE_PREFIX = "auditflow.";
  /** A principal's access chain: {@code access:<principal>}. */
  public static final String ACCESS_CHAIN_PREFIX = "access:";
  /** A correlation's legal-hold history: {@code legal-hold:<correlation_id>}. */
  public static final String HOLD_CHAIN_PREFIX = "legal-hold:";
  /** The server's other chains, such as {@code auditflow:purge}. */
  public static final String SERVER_CHAIN_PREFIX = "auditflow:";
  /**
   * The chain of a store's purge runs: {@code auditflow:purge}, or on a shard other than the
   * catalog {@code auditflow:purge:<shard>} (docs/SCALE.md), each shard purging its own events.
   *
   * @param shard the shard, or null (or {@code home}) for the one database and the catalog
   */
  public static String purgeChainOf(String shard) {
    return shard == null || shard.equals("home") ? SERVER_CHAIN_PREFIX + "purge" : PURGE_CHAIN_OF_SHARD + shard;
  }

  /** The prefix of a shard's purge chain, {@code auditflow:purge:}. */
  public static final String PURGE_CHAIN_OF_SHARD = SERVER_CHAIN_PREFIX + "purge:";
  /** The record of a purge run, in chain {@link #purgeChainOf}. */
  public static final String PURGED = TYPE_PREFIX + "retention.purged";
  /** The workflow catalog's records (Kubernaut's Data Storage names them so). */
  public static final String WORKFLOW_TYPE_PREFIX = "datastorage.workflow.";
  /**
   * A workflow's chain: {@code workflow-<id>}. Kubernaut's name, not reserved: Kubernaut's writers
   * may use it too.
   */
  public static final String WORKFLOW_CHAIN_PREFIX = "workflow-";
  /** Their category, Kubernaut Data Storage's. */
  public static final String WORKFLOW_CATEGORY = "datastorage";

  private static final List<String> RESERVED_CHAIN_PREFIXES =
      List.of(ACCESS_CHAIN_PREFIX, HOLD_CHAIN_PREFIX, SERVER_CHAIN_PREFIX, Declaration.CHAIN_PREFIX);
  private static final List<String> RESERVED_TYPE_PREFIXES = List.of(TYPE_PREFIX, WORKFLOW_TYPE_PREFIX);

  private ServerVocabulary() {}

  /**
   * The category of a server record of {@code type}: {@link #CATEGORY}, except the workflow
   * catalog's records, which keep Kubernaut Data Storage's category as they keep its type names.
   */
  public static String categoryOf(String type) {
    return type.startsWith(WORKFLOW_TYPE_PREFIX) ? WORKFLOW_CATEGORY : CATEGORY;
  }

  /**
   * What a writer's event takes of the server's names, one violation per field; empty when nothing.
   * A producer's declarations and epoch-closed markers (docs/COMPLETENESS.md) are the one exception:
   * they use the server's category and types, in their producer epoch's own chain, and must be
   * well formed.
   */
  public static List<Violation> reservedNames(AuditEvent event) {
    if (Declaration.claims(event)) {
      return Declaration.violations(event);
    }
    List<Violation> violations = new ArrayList<>();
    if (CATEGORY.equals(normal(event.eventCategory()))) {
      violations.add(new Violation("event_category", "\"" + CATEGORY + "\" is reserved for the server's own records"));
    }
    String type = normal(event.eventType());
    RESERVED_TYPE_PREFIXES.stream().filter(type::startsWith).findFirst().ifPresent(prefix -> violations.add(
        new Violation("event_type", "types starting with \"" + prefix + "\" are reserved for the server's own records")));
    String chain = normal(event.correlationId());
    RESERVED_CHAIN_PREFIXES.stream().filter(chain::startsWith).findFirst().ifPresent(prefix -> violations.add(
        new Violation("correlation_id", "correlation ids starting with \"" + prefix
            + "\" are reserved for the server's own records")));
    return violations;
  }

  private static String normal(String name) {
    return name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
  }
}
