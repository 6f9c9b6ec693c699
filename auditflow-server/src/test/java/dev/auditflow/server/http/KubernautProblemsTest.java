package dev.auditflow.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;
import dev.auditflow.api.Violation;
import dev.auditflow.server.failure.ProblemReason;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The table of docs/KUBERNAUT.md, row by row, including the rows no request can reach without breaking the database. */
class KubernautProblemsTest {
  private final KubernautProblems kubernaut = new KubernautProblems();

  @ParameterizedTest(name = "{0} {1}, {2} {3} → {5} \"{6}\" {7}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "POST|/api/v1/audit/events/batch|VALIDATION_ERROR|NOT_AN_ARRAY|400|invalid_request|Invalid Request|400",
      "POST|/api/v1/audit/events/batch|MALFORMED_JSON|-|400|invalid_request|Invalid Request|400",
      "POST|/api/v1/audit/events/batch|VALIDATION_ERROR|EMPTY_BATCH|400|validation-error|Validation Error|400",
      "POST|/api/v1/audit/events/batch|PAYLOAD_TOO_LARGE|BATCH_TOO_LARGE|413|batch-size-exceeded|Batch Size Exceeded|400",
      "POST|/api/v1/audit/events/batch|PAYLOAD_TOO_LARGE|-|413|request-too-large|Request Entity Too Large|413",
      "POST|/api/v1/audit/events|MALFORMED_JSON|-|400|invalid_request|Invalid Request|400",
      "POST|/api/v1/audit/verify-chain|MALFORMED_JSON|-|400|invalid-request-body|Invalid Request Body|400",
      "POST|/api/v1/audit/verify-chain|VALIDATION_ERROR|MISSING_CORRELATION_ID|400|missing-correlation-id|Missing Required Field|400",
      "POST|/api/v1/audit/verify-chain|VALIDATION_ERROR|INVALID_CORRELATION_ID|400|invalid-correlation-id|Invalid Correlation ID|400",
      "POST|/api/v1/audit/verify-chain|INTERNAL_ERROR|-|500|verify-chain/internal-error|Verification Failed|500",
      "GET|/api/v1/audit/export|VALIDATION_ERROR|-|400|export/invalid-parameters|Validation Error|400",
      "GET|/api/v1/audit/export|PAYLOAD_TOO_LARGE|EXPORT_LIMIT_EXCEEDED|413|export/limit-exceeded|Payload Too Large|413",
      "GET|/api/v1/audit/export|UNAUTHORIZED|-|401|export/unauthorized|Unauthorized|401",
      "GET|/api/v1/audit/export|INTERNAL_ERROR|-|500|export/query-failed|Export Failed|500",
      "POST|/api/v1/audit/legal-hold|MALFORMED_JSON|-|400|invalid-request|Invalid Request|400",
      "POST|/api/v1/audit/legal-hold|VALIDATION_ERROR|MISSING_CORRELATION_ID|400|missing-correlation-id|Missing Correlation ID|400",
      "POST|/api/v1/audit/legal-hold|VALIDATION_ERROR|MISSING_REASON|400|missing-reason|Missing Reason|400",
      "DELETE|/api/v1/audit/legal-hold/c-1|VALIDATION_ERROR|MISSING_RELEASE_REASON|400|missing-release-reason|Missing Release Reason|400",
      "POST|/api/v1/workflows|CONFLICT|-|409|conflict|Workflow Already Exists|409",
      "GET|/api/v1/audit/events|VALIDATION_ERROR|-|400|validation-error|Validation Error|400",
      "GET|/api/v1/audit/events|SERVER_BUSY|-|503|service-unavailable|Service Unavailable|503",
      "POST|/api/v1/audit/events|SERVICE_UNAVAILABLE|-|503|service-unavailable|Service Unavailable|503",
      "POST|/api/v1/audit/events|OUTCOME_UNKNOWN|-|503|outcome-unknown|Outcome Unknown|503",
      "GET|/api/v1/workflows/x|NOT_FOUND|-|404|not-found|Not Found|404",
      "POST|/api/v1/audit/events|TOO_MANY_REQUESTS|-|429|rate-limit-exceeded|Rate Limit Exceeded|429"})
  void kubernautsRoutesAreWordedAsItsHandlersWordThem(String method, String path, ProblemType type, ProblemReason reason,
      int status, String slug, String title, int kubernautStatus) {
    assertThat(type.status()).isEqualTo(status);
    Problem ours = Problem.withErrors(type, "what went wrong", List.of(new Violation("field", "message")));
    Problem theirs = kubernaut.word(ours, reason, method, path);
    assertThat(theirs.type()).isEqualTo(KubernautProblems.TYPE_PREFIX + slug);
    assertThat(theirs.title()).isEqualTo(title);
    assertThat(theirs.status()).isEqualTo(kubernautStatus);
    assertThat(theirs.detail()).isEqualTo("what went wrong");
    assertThat(theirs.errors()).isEqualTo(ours.errors());
    assertThat(theirs.fieldErrors()).containsEntry("field", "message");
  }

  @Test
  void otherRoutesKeepAuditflowsWords() {
    Problem ours = Problem.of(ProblemType.VALIDATION_ERROR, "bad");
    for (String path : List.of("/api/v1/log/checkpoint", "/api/v1/tokens", "/api/v1/audit", "/ui")) {
      assertThat(kubernaut.word(ours, null, "GET", path)).isSameAs(ours);
    }
  }

  @Test
  void auditflowsVocabularyChangesNothing() {
    Problem ours = Problem.of(ProblemType.PAYLOAD_TOO_LARGE, "big");
    assertThat(ProblemVocabulary.AUDITFLOW.word(ours, ProblemReason.BATCH_TOO_LARGE, "POST", "/api/v1/audit/events/batch"))
        .isSameAs(ours);
  }
}
