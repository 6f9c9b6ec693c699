package dev.auditflow.testkit.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A client listener that takes only authenticated, encrypted connections — SASL/PLAIN over TLS —
 * with the cluster's authorizer ({@code StandardAuthorizer}) deciding what each user may do from
 * the ACLs a test creates. Beside it each node keeps its plaintext listener for the brokers, the
 * controllers and the test's own {@link KafkaCluster#admin()}; that listener's anonymous principal
 * is a super user, as the cluster's internal traffic must be.
 *
 * @param certificate the brokers' certificate (PEM), which clients trust
 * @param privateKey its key (PKCS#8 PEM, unencrypted)
 * @param passwords each user's password, by user name
 * @param superUser a user the authorizer lets do everything (an operator creating topics)
 */
public record SecuredListener(Path certificate, Path privateKey, Map<String, String> passwords, String superUser) {
  public SecuredListener {
    passwords = Map.copyOf(passwords);
    if (!passwords.containsKey(superUser)) {
      throw new IllegalArgumentException("the super user " + superUser + " needs a password");
    }
  }

  /** Kafka's principal name of {@code user}, as ACLs name it. */
  public static String principal(String user) {
    return "User:" + user;
  }

  /**
   * The client properties that connect as {@code user} with {@code password} — Kafka's own names,
   * as a {@code --command-config} file holds them.
   */
  public Map<String, String> clientConfig(String user, String password) {
    Map<String, String> config = new TreeMap<>();
    config.put("security.protocol", "SASL_SSL");
    config.put("sasl.mechanism", "PLAIN");
    config.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
        + user + "\" password=\"" + password + "\";");
    config.put("ssl.truststore.type", "PEM");
    config.put("ssl.truststore.location", certificate.toString());
    return config;
  }

  /** The broker's settings for this listener, named {@code SASL_SSL}; its key store written under {@code directory}. */
  Map<String, String> brokerConfig(Path directory) throws IOException {
    // Kafka's PEM key store is one file: the key, then the certificate chain.
    Path keyStore = directory.resolve("broker-keystore.pem");
    Files.createDirectories(directory);
    Files.writeString(keyStore, Files.readString(privateKey) + Files.readString(certificate));
    Map<String, String> config = new TreeMap<>();
    config.put("ssl.keystore.type", "PEM");
    config.put("ssl.keystore.location", keyStore.toString());
    config.put("sasl.enabled.mechanisms", "PLAIN");
    config.put("listener.name.sasl_ssl.plain.sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + new TreeMap<>(passwords).entrySet().stream().map(e -> "user_" + e.getKey() + "=\"" + e.getValue() + "\"")
                .collect(Collectors.joining(" ")) + ";");
    config.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    config.put("super.users", principal("ANONYMOUS") + ";" + principal(superUser));
    return config;
  }
}
