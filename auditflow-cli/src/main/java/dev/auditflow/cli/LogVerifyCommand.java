package dev.auditflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.log.Checkpoint;
import dev.auditflow.api.log.CompactRange;
import dev.auditflow.api.log.LogProofException;
import dev.auditflow.api.log.MerkleHashes;
import dev.auditflow.client.log.LogWitness;
import dev.auditflow.verify.CanonicalForm;
import dev.auditflow.verify.ExportCompleteness;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code auditflow log verify}: a witness in one command — the client library's {@link LogWitness}
 * run once, and optionally a full audit of the leaves against their events.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Fetch the log's current checkpoint, check its signature and that it extends the checkpoint in"
        + " --checkpoint (written there on first use), then keep it. Exit 0 consistent, 1 the log is not what it"
        + " was (forked, shrunk, rewritten, or an event that no longer matches its leaf), 2 cannot check.")
final class LogVerifyCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  ConnectionOptions connection;

  @Mixin
  LogKeyOption key;

  @Option(names = "--checkpoint", required = true,
      description = "The file that keeps the last checkpoint this witness accepted (signed note).")
  Path checkpointFile;

  @Option(names = "--audit",
      description = "Also read every leaf with its event (auditor role) and recompute: names the first leaf whose"
          + " event no longer hashes to it, and checks the leaves hash to the signed root.")
  boolean audit;

  @Option(names = "--shard", paramLabel = "NAME",
      description = "Witness shard NAME's own log instead of the root log (docs/SCALE.md, \"Shards\"); --key is then"
          + " the shard's verifier key (GET /api/v1/log/shards/NAME/key); --audit then reads the shard's leaves.")
  String shard;

  @Option(names = "--completeness",
      description = "With --audit: also recompute every producer epoch's accounts (docs/COMPLETENESS.md) from the"
          + " audited entries and print a line per epoch — what the signed log proves was stored and declared.")
  boolean completeness;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    ApiClient client = connection.client(err);
    if (shard != null && completeness) {
      err.println("cannot check: --completeness recomputes a producer's accounts, whose events span every shard;"
          + " run it without --shard");
      return 2;
    }
    String verifierKey = key.verifierKey(client, err, shard == null ? "/api/v1/log" : "/api/v1/log/shards/" + shard);
    LogWitness.Check check;
    try (LogWitness witness = witness(client, verifierKey)) {
      check = witness.check();
    } catch (IllegalArgumentException e) {
      err.println("cannot check: " + e.getMessage());
      return 2;
    }
    switch (check.outcome()) {
      case UNAVAILABLE -> {
        err.println("cannot check: " + check.reason());
        return 2;
      }
      case INCONSISTENT -> {
        err.println("NOT CONSISTENT: " + check.reason());
        return 1;
      }
      default -> { }
    }
    Checkpoint accepted = check.accepted();
    if (completeness && !audit) {
      err.println("cannot check: --completeness recomputes the accounts from the audited entries; add --audit");
      return 2;
    }
    ExportCompleteness accounts = completeness ? new ExportCompleteness() : null;
    if (audit) {
      try {
        long purged = audit(new LogApi(client, shard), accepted, accounts);
        if (accounts != null) {
          accounts.toJson().forEach(epoch -> spec.commandLine().getOut().println(EpochAccountsLine.of(epoch, "the log")));
          if (purged > 0) {
            spec.commandLine().getOut().println(purged + " leaves' events were purged: their numbers, if they had any,"
                + " show as missing");
          }
        }
      } catch (LogProofException e) {
        err.println("NOT CONSISTENT: " + e.getMessage());
        return 1;
      } catch (IOException e) {
        err.println("cannot audit: " + e.getMessage());
        return 2;
      }
    }
    String growth = check.previousSize() == accepted.size() ? " unchanged at " + accepted.size() + " leaves"
        : " grew from " + check.previousSize() + " to " + accepted.size() + " leaves";
    spec.commandLine().getOut().println(check.previousSize() < 0
        ? "TRUSTED: first checkpoint kept, " + accepted.origin() + " size " + accepted.size()
        : "CONSISTENT: " + accepted.origin() + growth + (audit ? "; every leaf matches its event" : ""));
    return 0;
  }

  private LogWitness witness(ApiClient client, String verifierKey) {
    LogWitness.Builder builder = LogWitness.builder().endpoint(client.base()).verifierKey(verifierKey)
            .stateFile(checkpointFile.toAbsolutePath()).trustedCertificates(client.trustedCertificates());
    if (client.token() != null) {
      builder.bearerToken(client.token());
    }
    if (shard != null) {
      builder.shard(shard);
    }
    return builder.build();
  }

  /**
   * Recomputes every leaf below the checkpoint's size from its event, and the root from the leaves;
   * hands each event to {@code accounts} when not null.
   *
   * @return how many leaves had no event left (purged)
   */
  private static long audit(LogApi api, Checkpoint checkpoint, ExportCompleteness accounts)
      throws IOException, LogProofException {
    CompactRange range = CompactRange.empty();
    long purged = 0;
    while (range.size() < checkpoint.size()) {
      JsonNode entries = api.entries(range.size(), 1000).get("entries");
      if (entries.isEmpty()) {
        throw new LogProofException("the log serves no leaf " + range.size() + " below its signed size "
            + checkpoint.size());
      }
      for (JsonNode entry : entries) {
        if (range.size() == checkpoint.size()) {
          break;
        }
        long index = entry.get("leaf_index").asLong();
        byte[] leaf = Base64.getDecoder().decode(entry.get("leaf_hash").asText());
        if (index != range.size()) {
          throw new LogProofException("the log served leaf " + index + " where leaf " + range.size() + " belongs");
        }
        JsonNode event = entry.get("event");
        if (event.isNull()) {
          purged++;
        } else if (!Arrays.equals(leafOf(event, index), leaf)) {
          throw new LogProofException("leaf " + index + " (event " + entry.get("event_id").asText() + "): the event"
              + " as stored now does not hash to its leaf — it was changed after it was logged");
        } else if (accounts != null) {
          accounts.add(event);
        }
        range.append(leaf);
      }
    }
    if (!Arrays.equals(range.root(), checkpoint.rootHash())) {
      throw new LogProofException("the log's " + checkpoint.size() + " leaves do not hash to the signed root: its"
          + " leaf table was rewritten");
    }
    return purged;
  }

  private static byte[] leafOf(JsonNode event, long index) throws LogProofException {
    try {
      return MerkleHashes.leaf(CanonicalForm.ofExported(event));
    } catch (RuntimeException e) {
      throw new LogProofException("leaf " + index + ": its event cannot be hashed: " + e.getMessage());
    }
  }
}
