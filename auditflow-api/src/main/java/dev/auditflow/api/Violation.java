package dev.auditflow.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One broken rule: the JSON field (snake_case, as the client sent it) and what is wrong with it.
 * {@code index} is the position in a batch request, absent for a single event.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Violation(Integer index, String field, String message) {

  public Violation(String field, String message) {
    this(null, field, message);
  }

  /** The same violation, located at a batch position. */
  public Violation atIndex(int batchIndex) {
    return new Violation(batchIndex, field, message);
  }

  @Override
  public String toString() {
    return (index == null ? "" : "[" + index + "].") + field + ": " + message;
  }
}
