package dev.auditflow.server.testing;

/**
 * The Redis that tests tagged {@code needs-redis} use: {@code AUDITFLOW_TEST_REDIS_URL}, else the
 * machine's on 127.0.0.1:6379 ({@code .ci/run} makes sure one runs). Each test uses its own
 * stream key, so tests and runs never see each other's entries.
 */
public final class TestRedis {
  public static final String TAG = "needs-redis";

  private TestRedis() {}

  public static String url() {
    String url = System.getenv("AUDITFLOW_TEST_REDIS_URL");
    return url == null || url.isBlank() ? "redis://127.0.0.1:6379" : url;
  }

  public static String uniqueKey(String prefix) {
    return "auditflow-test:" + prefix + ":" + java.util.UUID.randomUUID();
  }
}
