package dev.auditflow.server.auth;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Authentication against the Kubernetes API server, as Kubernaut's Data Storage does it: a
 * TokenReview says who a bearer token belongs to, and a SubjectAccessReview per role says
 * whether that user may use the given verb on a named resource — so roles are granted with
 * ordinary RBAC (a Role binding {@code create} on {@code services/data-storage-service} makes a
 * writer, and so on).
 *
 * @param apiServer the API server's base URL, e.g. {@code https://kubernetes.default.svc}
 * @param caFile the API server's CA certificate (PEM), or null for the JVM's trust store
 * @param tokenFile the server's own service-account token (re-read when it changes)
 * @param namespace, resource, resourceName, resourceGroup what the access review asks about
 * @param roleVerbs the verb each role needs (default writer=create, reader=get, auditor=list,
 *     admin=update)
 * @param cacheTtl how long a review's answer is reused (default 30 s)
 */
public record KubernetesSettings(URI apiServer, Path caFile, Path tokenFile, String namespace, String resource,
    String resourceName, String resourceGroup, Map<Role, String> roleVerbs, Duration cacheTtl) {

  public static final Map<Role, String> DEFAULT_VERBS =
      Map.of(Role.WRITER, "create", Role.READER, "get", Role.AUDITOR, "list", Role.ADMIN, "update");

  public KubernetesSettings {
    Objects.requireNonNull(apiServer, "the Kubernetes API server URL is required (--k8s-api-url)");
    Objects.requireNonNull(tokenFile, "the service-account token file is required (--k8s-token-file)");
    Objects.requireNonNull(namespace, "the namespace of the access review is required (--k8s-namespace)");
    resource = resource == null ? "services" : resource;
    resourceName = resourceName == null ? "data-storage-service" : resourceName;
    resourceGroup = resourceGroup == null ? "" : resourceGroup;
    roleVerbs = roleVerbs == null || roleVerbs.isEmpty() ? DEFAULT_VERBS : Map.copyOf(roleVerbs);
    cacheTtl = cacheTtl == null ? Duration.ofSeconds(30) : cacheTtl;
  }
}
