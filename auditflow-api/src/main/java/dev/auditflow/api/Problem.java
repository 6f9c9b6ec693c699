package dev.auditflow.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Objects;

/**
 * An RFC 7807 problem detail, the body of every auditflow error ({@code
 * application/problem+json}). Validation problems list every violation in {@code errors}.
 *
 * @param type a {@link ProblemType#uri()}
 * @param title short, fixed per type
 * @param status the HTTP status code
 * @param detail what went wrong with this request, for a human
 * @param errors the fields at fault: every violation of a {@code validation-error}, or what a {@code conflict}
 *     is about
 * @param fieldErrors the same violations as a map from field to message — Kubernaut's {@code
 *     field_errors}: {@code "[3].event_type"} for a batch position, messages of one field joined
 *     with {@code "; "}
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Problem(
    String type,
    String title,
    int status,
    String detail,
    List<Violation> errors,
    @JsonProperty("field_errors") Map<String, String> fieldErrors) {
  public static final String MEDIA_TYPE = "application/problem+json";

  public Problem {
    Objects.requireNonNull(type, "type");
    errors = errors == null ? List.of() : List.copyOf(errors);
    fieldErrors = fieldErrors == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(fieldErrors));
  }

  public Problem(String type, String title, int status, String detail, List<Violation> errors) {
    this(type, title, status, detail, errors, byField(errors));
  }

  private static Map<String, String> byField(List<Violation> errors) {
    Map<String, String> map = new LinkedHashMap<>();
    if (errors != null) {
      for (Violation v : errors) {
        String key = (v.index() == null ? "" : "[" + v.index() + "].") + v.field();
        map.merge(key, v.message(), (a, b) -> a + "; " + b);
      }
    }
    return map;
  }

  public static Problem of(ProblemType type, String detail) {
    return new Problem(type.uri(), type.title(), type.status(), detail, List.of());
  }

  public static Problem validation(String detail, List<Violation> errors) {
    return withErrors(ProblemType.VALIDATION_ERROR, detail, errors);
  }

  /** A problem of any type that names the fields at fault, as a validation problem does. */
  public static Problem withErrors(ProblemType type, String detail, List<Violation> errors) {
    return new Problem(type.uri(), type.title(), type.status(), detail, errors);
  }

  /** The slug of {@link #type()}, e.g. {@code validation-error}. */
  public String slug() {
    return type.startsWith(ProblemType.TYPE_PREFIX) ? type.substring(ProblemType.TYPE_PREFIX.length()) : type;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder().append(status).append(' ').append(slug());
    if (detail != null) {
      sb.append(": ").append(detail);
    }
    if (!errors.isEmpty()) {
      sb.append(' ').append(errors);
    }
    return sb.toString();
  }
}
