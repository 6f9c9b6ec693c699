package dev.auditflow.cli;

import dev.auditflow.server.auth.AuthSettings;
import dev.auditflow.server.auth.JwtSettings;
import dev.auditflow.server.auth.KubernetesSettings;
import dev.auditflow.server.auth.Role;
import dev.auditflow.server.failure.ConfigurationException;
import dev.auditflow.server.tls.TlsFiles;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/** {@code serve}'s options for authentication and TLS, turned into the server's settings. */
@Section("security")
final class SecurityOptions {
  @Option(names = "--auth", defaultValue = "required",
      description = "required (default: every API call needs credentials) or none (anyone may do anything; loud"
          + " warnings).")
  String auth;

  @Option(names = "--admin-token-file",
      description = "Where the first admin token is written at first start (mode 0600). Default: <data-dir>/admin.token.")
  Path adminTokenFile;

  @Option(names = "--tls-cert", description = "PEM certificate chain to serve HTTPS with (reloaded when it changes).")
  Path tlsCert;

  @Option(names = "--tls-key", description = "PEM private key (PKCS#8) of --tls-cert.")
  Path tlsKey;

  @Option(names = "--jwt-jwks-url", description = "Verify JWTs against this JWK Set URL (cached, refreshed on rotation).")
  URI jwtJwksUrl;

  @Option(names = "--jwt-jwks-file", description = "Verify JWTs against this local JWK Set file (re-read when it changes).")
  Path jwtJwksFile;

  @Option(names = "--jwt-issuer", description = "The issuer (iss) JWTs must have.")
  String jwtIssuer;

  @Option(names = "--jwt-audience", description = "The audience (aud) JWTs must have.")
  String jwtAudience;

  @Option(names = "--jwt-name-claim", defaultValue = "sub", description = "Claim naming the principal (default: ${DEFAULT-VALUE}).")
  String jwtNameClaim;

  @Option(names = "--jwt-roles-claim", defaultValue = "groups",
      description = "Claim holding groups or roles (default: ${DEFAULT-VALUE}).")
  String jwtRolesClaim;

  @Option(names = "--jwt-role", split = ",",
      description = "Maps a claim value to a role, e.g. audit-writers=writer (repeatable). Only mapped values grant"
          + " a role: a group that happens to be called admin is not auditflow's admin.")
  List<String> jwtRoles;

  @Option(names = "--k8s-api-url", description = "Authenticate Kubernetes tokens with TokenReview and"
      + " SubjectAccessReview at this API server, e.g. https://kubernetes.default.svc.")
  URI k8sApiUrl;

  @Option(names = "--k8s-ca-file", description = "The API server's CA certificate (PEM).")
  Path k8sCaFile;

  @Option(names = "--k8s-token-file", defaultValue = "/var/run/secrets/kubernetes.io/serviceaccount/token",
      description = "This server's own service-account token (default: ${DEFAULT-VALUE}).")
  Path k8sTokenFile;

  @Option(names = "--k8s-namespace", description = "Namespace of the access review.")
  String k8sNamespace;

  @Option(names = "--k8s-resource", defaultValue = "services", description = "Resource of the access review (default: ${DEFAULT-VALUE}).")
  String k8sResource;

  @Option(names = "--k8s-resource-name", defaultValue = "data-storage-service",
      description = "Resource name of the access review (default: ${DEFAULT-VALUE}).")
  String k8sResourceName;

  @Option(names = "--k8s-role-verb", split = ",",
      description = "The verb a role needs, e.g. writer=create (default writer=create, reader=get, auditor=list,"
          + " admin=update).")
  List<String> k8sRoleVerbs;

  @Option(names = "--trusted-proxy", split = ",",
      description = "Address of an authenticating proxy whose X-Auth-Request-User header is believed (repeatable).")
  List<String> trustedProxies;

  @Option(names = "--proxy-roles", split = ",", defaultValue = "writer,reader",
      description = "Roles of users named by a trusted proxy (default: ${DEFAULT-VALUE}).")
  List<String> proxyRoles;

  @Option(names = "--auth-failure-limit", defaultValue = "10",
      description = "Failed authentications from one address within --auth-failure-window before it gets 429"
          + " (default: ${DEFAULT-VALUE}).")
  int authFailureLimit;

  @Option(names = "--auth-failure-window", defaultValue = "1m",
      description = "The window --auth-failure-limit counts in (default: ${DEFAULT-VALUE}).")
  Duration authFailureWindow;

  AuthSettings auth(Path dataDir) {
    boolean enabled = switch (auth) {
      case "required" -> true;
      case "none" -> false;
      default -> throw new ConfigurationException("--auth must be required or none, was " + auth);
    };
    if (!enabled) {
      return AuthSettings.disabled();
    }
    JwtSettings jwt = jwtJwksUrl == null && jwtJwksFile == null ? null : new JwtSettings(jwtJwksUrl, jwtJwksFile,
        jwtIssuer, jwtAudience, jwtNameClaim, jwtRolesClaim, mapping("--jwt-role", jwtRoles), null, null);
    KubernetesSettings kubernetes = k8sApiUrl == null ? null : new KubernetesSettings(k8sApiUrl, k8sCaFile,
        k8sTokenFile, k8sNamespace, k8sResource, k8sResourceName, null, verbs(), null);
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String r : proxyRoles) {
      roles.add(role("--proxy-roles", r));
    }
    Path adminFile = (adminTokenFile != null ? adminTokenFile : dataDir.resolve("admin.token")).toAbsolutePath().normalize();
    Set<String> proxies = trustedProxies == null ? Set.of() : Set.copyOf(trustedProxies);
    if (authFailureLimit < 1 || (authFailureWindow.isNegative() || authFailureWindow.isZero())) {
      throw new ConfigurationException("--auth-failure-limit must be >= 1 and --auth-failure-window > 0, were "
          + authFailureLimit + " and " + authFailureWindow);
    }
    return new AuthSettings(true, adminFile, jwt, kubernetes, proxies, roles, authFailureLimit, authFailureWindow);
  }

  TlsFiles tls() {
    if (tlsCert == null && tlsKey == null) {
      return null;
    }
    if (tlsCert == null || tlsKey == null) {
      throw new ConfigurationException("--tls-cert and --tls-key go together");
    }
    return new TlsFiles(tlsCert, tlsKey);
  }

  private Map<Role, String> verbs() {
    Map<Role, String> verbs = new EnumMap<>(Role.class);
    for (Map.Entry<String, Role> e : mapping("--k8s-role-verb", k8sRoleVerbs, true).entrySet()) {
      verbs.put(e.getValue(), e.getKey());
    }
    return verbs;
  }

  private static Map<String, Role> mapping(String option, List<String> pairs) {
    return mapping(option, pairs, false);
  }

  /** {@code value=role} pairs (or {@code role=verb} when {@code roleFirst}), keyed by the non-role side. */
  private static Map<String, Role> mapping(String option, List<String> pairs, boolean roleFirst) {
    Map<String, Role> map = new LinkedHashMap<>();
    if (pairs == null) {
      return map;
    }
    for (String pair : pairs) {
      int eq = pair.indexOf('=');
      if (eq <= 0 || eq == pair.length() - 1) {
        throw new ConfigurationException(option + " takes " + (roleFirst ? "role=verb" : "value=role") + ", was " + pair);
      }
      String left = pair.substring(0, eq).trim();
      String right = pair.substring(eq + 1).trim();
      map.put(roleFirst ? right : left, role(option, roleFirst ? left : right));
    }
    return map;
  }

  private static Role role(String option, String name) {
    return Role.fromWireName(name.trim())
        .orElseThrow(() -> new IllegalArgumentException(option + ": unknown role " + name + " (writer, reader, auditor, admin)"));
  }
}
