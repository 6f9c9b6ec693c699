package dev.auditflow.api;

/**
 * The kinds of error auditflow answers with, each an RFC 7807 {@code type} URI of the form
 * {@code https://auditflow.dev/problems/<slug>} with its HTTP status and a fixed title.
 */
public enum ProblemType {
  VALIDATION_ERROR("validation-error", "Validation failed", 400),
  MALFORMED_JSON("malformed-json", "Malformed JSON", 400),
  BAD_REQUEST("bad-request", "Bad request", 400),
  UNAUTHORIZED("unauthorized", "Unauthorized", 401),
  FORBIDDEN("forbidden", "Forbidden", 403),
  NOT_FOUND("not-found", "Not found", 404),
  METHOD_NOT_ALLOWED("method-not-allowed", "Method not allowed", 405),
  CONFLICT("conflict", "Conflict", 409),
  PAYLOAD_TOO_LARGE("payload-too-large", "Payload too large", 413),
  TOO_MANY_REQUESTS("too-many-requests", "Too many requests", 429),
  UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", "Unsupported media type", 415),
  /**
   * A read ran into the statement timeout and was stopped: the database is fine, this read costs
   * too much. The same request fails the same way, so it is not to be retried as it is, but
   * narrowed (a time range, a filter, a cursor instead of a deep offset).
   */
  QUERY_TOO_EXPENSIVE("query-too-expensive", "Query too expensive", 422),
  INTERNAL_ERROR("internal-error", "Internal error", 500),
  /** Nothing was written; the same request may be retried later. */
  SERVICE_UNAVAILABLE("service-unavailable", "Service unavailable", 503),
  /** The database answers, but every connection for reading is busy: retry shortly. */
  SERVER_BUSY("server-busy", "Server busy", 503),
  /**
   * The write was sent to the store but its outcome is unknown (the connection broke while
   * committing): it may have been stored. Retrying the same event ids is safe and resolves it.
   */
  OUTCOME_UNKNOWN("outcome-unknown", "Outcome unknown", 503);

  public static final String TYPE_PREFIX = "https://auditflow.dev/problems/";

  private final String slug;
  private final String title;
  private final int status;

  ProblemType(String slug, String title, int status) {
    this.slug = slug;
    this.title = title;
    this.status = status;
  }

  public String slug() {
    return slug;
  }

  public String uri() {
    return TYPE_PREFIX + slug;
  }

  public String title() {
    return title;
  }

  public int status() {
    return status;
  }
}
