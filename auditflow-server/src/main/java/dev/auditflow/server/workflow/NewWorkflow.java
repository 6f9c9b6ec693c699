package dev.auditflow.server.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A validated create request: everything a workflow is born with.
 *
 * @param labels the five mandatory labels, {@code environment} always a list
 * @param customLabels customer-defined labels (name → values), or null
 * @param detectedLabels labels detected on the target's resources, or null
 */
public record NewWorkflow(
    String workflowName,
    String version,
    String name,
    String description,
    String content,
    String contentHash,
    ObjectNode labels,
    String executionEngine,
    String owner,
    String maintainer,
    String containerImage,
    String containerDigest,
    JsonNode parameters,
    ObjectNode customLabels,
    ObjectNode detectedLabels,
    String status) {

  /** The environments the workflow serves ({@code *} for any). */
  public List<String> environments() {
    return Workflow.environments(labels);
  }
}
