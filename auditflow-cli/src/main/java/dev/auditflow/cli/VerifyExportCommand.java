package dev.auditflow.cli;

import dev.auditflow.verify.ExportVerifier;
import dev.auditflow.verify.PublicKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code auditflow verify-export FILE --public-key KEY}: checks an export offline — no server, no database. */
@Command(name = "verify-export", mixinStandardHelpOptions = true,
    description = "Verify an export file offline: signature, content hash, every event's hash, chain order and links."
        + " Exit 0 valid, 1 not valid (each finding named), 2 cannot be checked.")
final class VerifyExportCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "The export (from auditflow export).")
  Path file;

  @Option(names = "--public-key", required = true,
      description = "The service's public key (PEM), from GET /api/v1/audit/signing-key?format=pem.")
  Path publicKey;

  @Option(names = "--chain-key-file", description = "The HMAC chain key, to recompute keyed chains too.")
  Path chainKeyFile;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ExportVerifier.Result result;
    try (InputStream in = Files.newInputStream(file)) {
      PublicKey key = PublicKeys.fromPem(Files.readString(publicKey));
      byte[] chainKey = chainKeyFile == null ? null : Files.readAllBytes(chainKeyFile);
      result = new ExportVerifier(key, chainKey).verify(in);
    } catch (IOException | IllegalArgumentException e) {
      err.println("cannot verify: " + e.getMessage());
      return 2;
    }
    result.findings().forEach(f -> out.println(f));
    String counts = result.events() + " events in " + result.chains() + " chains: " + result.eventsVerified()
        + " recomputed, " + result.eventsRedacted() + " redacted, signature valid"
        + (result.eventsUnverifiable() > 0 ? ", " + result.eventsUnverifiable()
            + " HMAC-chained (signature only; give --chain-key-file to recompute)" : "")
        + (result.logTreeSize() >= 0 ? ", " + result.eventsInLog() + " proven in the log's checkpoint of "
            + result.logTreeSize() + " leaves" : "");
    for (var epoch : result.producers()) {
      err.println(EpochAccountsLine.of(epoch, "this export"));
    }
    if (result.valid()) {
      err.println("VALID: " + counts + " (signed by " + result.keyId() + ")");
      return 0;
    }
    err.println("NOT VALID: " + result.findings().size() + " findings; " + counts.replace(", signature valid", ""));
    return 1;
  }
}
