package dev.auditflow.server.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** A validated create request: everything a workflow is born with. */
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
    JsonNode parameters,
    String status) {}
