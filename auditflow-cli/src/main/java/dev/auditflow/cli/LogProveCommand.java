package dev.auditflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.log.Checkpoint;
import dev.auditflow.api.log.LogProofException;
import dev.auditflow.api.log.LogProofs;
import dev.auditflow.api.log.MerkleHashes;
import dev.auditflow.api.log.NoteKey;
import dev.auditflow.verify.CanonicalForm;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code auditflow log prove}: proves one event is in the log, against the current signed
 * checkpoint, and writes a proof that anyone holding the verifier key can check offline
 * ({@code --check}).
 */
@Command(name = "prove", mixinStandardHelpOptions = true,
    description = "Prove that an event is in the log: its inclusion proof against the current signed checkpoint,"
        + " with the event as stored recomputed to its leaf. Writes the proof as JSON (--out, or stdout);"
        + " --check FILE verifies such a proof offline. Exit 0 proven, 1 not in the log as stored, 2 cannot check.")
final class LogProveCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  ConnectionOptions connection;

  @ArgGroup(multiplicity = "1")
  What what;

  static final class What {
    @Option(names = "--event-id", description = "The event to prove (asks the server).")
    String eventId;

    @Option(names = "--check", description = "A proof written by this command, to verify offline.")
    Path check;
  }

  @Mixin
  LogKeyOption key;

  @Option(names = "--out", description = "Where to write the proof (default: standard output).")
  Path out;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    ObjectNode proof;
    try {
      ApiClient client = connection.client(err);
      NoteKey noteKey = key.noteKey(client, err);
      proof = what.check != null ? (ObjectNode) AuditEventJson.mapper().readTree(what.check.toFile())
          : fetch(new LogApi(client), noteKey);
      check(proof, noteKey);
    } catch (IOException e) {
      throw new CliFailure("cannot check: " + e.getMessage(), null, e);
    } catch (LogProofException e) {
      err.println("NOT PROVEN: " + e.getMessage());
      return 1;
    }
    if (what.check == null) {
      try {
        String json = AuditEventJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(proof);
        if (out == null) {
          spec.commandLine().getOut().println(json);
        } else {
          Files.writeString(out, json + "\n");
        }
      } catch (IOException e) {
        err.println("cannot write the proof: " + e.getMessage());
        return 2;
      }
    }
    err.println("PROVEN: event " + proof.get("event_id").asText() + " is leaf " + proof.get("leaf_index").asLong()
        + " of the " + proof.get("tree_size").asLong() + "-leaf log signed in its checkpoint"
        + (proof.get("event").isNull() ? " (its row is purged: proven by its leaf hash alone)" : ""));
    return 0;
  }

  /** The current checkpoint and the event's proof against it, in one self-contained object. */
  private ObjectNode fetch(LogApi api, NoteKey noteKey) throws IOException, LogProofException {
    String note = api.checkpoint();
    Checkpoint checkpoint = Checkpoint.verified(note, noteKey);
    ObjectNode proof = (ObjectNode) api.inclusion(what.eventId, checkpoint.size());
    proof.put("checkpoint", note);
    return proof;
  }

  /** Verifies a proof object: checkpoint signature, the event's leaf, the path to the signed root. */
  private static void check(JsonNode proof, NoteKey noteKey) throws LogProofException {
    Checkpoint checkpoint = Checkpoint.verified(proof.path("checkpoint").asText(), noteKey);
    long size = proof.path("tree_size").asLong();
    if (size != checkpoint.size()) {
      throw new LogProofException("the proof is for a tree of " + size + " leaves, its checkpoint for "
          + checkpoint.size());
    }
    byte[] leaf = Base64.getDecoder().decode(proof.path("leaf_hash").asText());
    JsonNode event = proof.path("event");
    if (!event.isNull() && !event.isMissingNode()) {
      byte[] recomputed;
      try {
        recomputed = MerkleHashes.leaf(CanonicalForm.ofExported(event));
      } catch (RuntimeException e) {
        throw new LogProofException("the event cannot be hashed: " + e.getMessage());
      }
      if (!Arrays.equals(recomputed, leaf)) {
        throw new LogProofException("event " + proof.path("event_id").asText() + " as stored now does not hash to"
            + " leaf " + proof.path("leaf_index").asLong() + ": it was changed after it was logged");
      }
    }
    LogProofs.verifyInclusion(leaf, proof.path("leaf_index").asLong(), size,
        LogApi.hashes(proof.path("inclusion_path")), checkpoint.rootHash());
  }
}
