package dev.auditflow.server.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Bodies of workflow create requests, as tests send them. */
public final class WorkflowJson {
  private WorkflowJson() {}

  /** A valid workflow of one environment, its content hash the SHA-256 of its content. */
  public static ObjectNode valid(String name, String version) {
    String content = "steps:\n  - restart: " + name + "@" + version;
    ObjectNode w = AuditEventJson.mapper().createObjectNode();
    w.put("workflow_name", name).put("version", version).put("name", "Restart " + name)
        .put("description", "Restarts it.").put("content", content).put("content_hash", sha256(content))
        .put("execution_engine", "tekton").put("owner", "sre");
    ObjectNode labels = w.putObject("labels").put("signal_type", "crashloop").put("severity", "high")
        .put("component", "k8s").put("priority", "P1");
    labels.putArray("environment").add("production");
    w.putObject("parameters").put("namespace", "default");
    return w;
  }

  /**
   * The body Kubernaut's own client sends in its e2e test 18 (DS-BUG-001): an environment list, a
   * content hash of its own, customer and detected labels, the image and its digest.
   */
  public static ObjectNode kubernaut(String name, String version) {
    ObjectNode w = AuditEventJson.mapper().createObjectNode();
    w.put("workflow_name", name).put("version", version).put("name", "Test Duplicate Workflow")
        .put("description", "Test workflow for duplicate detection")
        .put("content", "apiVersion: kubernaut.io/v1alpha1\nkind: WorkflowSchema\nmetadata:\n  name: test")
        .put("content_hash", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    ObjectNode labels = w.putObject("labels").put("component", "pod");
    labels.putArray("environment").add("test");
    labels.put("priority", "P2").put("severity", "medium").put("signal_type", "OOMKilled");
    w.put("execution_engine", "tekton").put("status", "active").put("container_image", "test:v1.0.0")
        .put("container_digest", "sha256:" + "0".repeat(63) + "1");
    w.putObject("custom_labels").putArray("team").add("name=payments");
    w.putObject("detected_labels").put("gitOpsManaged", true).put("gitOpsTool", "argocd");
    return w;
  }

  public static String sha256(String content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
