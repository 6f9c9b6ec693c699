package dev.auditflow.server.workflow;

/** Valid workflow JSON for tests outside this package. */
public final class WorkflowTestSupport {
  private WorkflowTestSupport() {}

  public static String workflow(String name, String version) {
    return WorkflowTest.workflow(name, version).toString();
  }
}
