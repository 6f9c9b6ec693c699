package dev.auditflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.log.Checkpoint;
import dev.auditflow.api.log.CompactRange;
import dev.auditflow.api.log.LogProofException;
import dev.auditflow.api.log.MerkleHashes;
import dev.auditflow.api.log.NoteKey;
import dev.auditflow.api.log.Witness;
import dev.auditflow.server.chain.CanonicalForm;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code auditflow log verify}: a witness in one command. Checks the server's current checkpoint
 * against the one kept in a file and, if it extends it, keeps the new one instead.
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

  @Option(names = "--checkpoint", required = true,
      description = "The file that keeps the last checkpoint this witness accepted (signed note).")
  Path checkpointFile;

  @Option(names = "--key", required = true,
      description = "The log's verifier key (<origin>+<id>+<key>, from GET /api/v1/log/key), obtained out of band.")
  String key;

  @Option(names = "--audit",
      description = "Also read every leaf with its event (auditor role) and recompute: names the first leaf whose"
          + " event no longer hashes to it, and checks the leaves hash to the signed root.")
  boolean audit;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    NoteKey noteKey;
    try {
      noteKey = NoteKey.parse(key);
    } catch (IllegalArgumentException e) {
      err.println("cannot check: " + e.getMessage());
      return 2;
    }
    LogApi api = new LogApi(connection.client());
    String note;
    Checkpoint trusted = null;
    try {
      if (Files.exists(checkpointFile)) {
        trusted = Checkpoint.verified(Files.readString(checkpointFile, StandardCharsets.UTF_8), noteKey);
      }
      note = api.checkpoint();
    } catch (IOException e) {
      err.println("cannot check: " + e.getMessage());
      return 2;
    } catch (LogProofException e) {
      err.println("cannot check: the kept checkpoint " + checkpointFile + " does not verify: " + e.getMessage());
      return 2;
    }
    Checkpoint current;
    try {
      current = trusted == null ? Checkpoint.verified(note, noteKey) : Witness.advance(trusted, note, noteKey, api::consistency);
      if (audit) {
        audit(api, current);
      }
    } catch (LogProofException e) {
      err.println("NOT CONSISTENT: " + e.getMessage());
      keepEvidence(note, err);
      return 1;
    } catch (IOException e) {
      err.println("cannot check: " + e.getMessage());
      return 2;
    }
    try {
      Path temp = Files.createTempFile(checkpointFile.toAbsolutePath().getParent(), ".checkpoint", ".tmp");
      Files.writeString(temp, note, StandardCharsets.UTF_8);
      Files.move(temp, checkpointFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      err.println("cannot keep the new checkpoint in " + checkpointFile + ": " + e.getMessage());
      return 2;
    }
    spec.commandLine().getOut().println(trusted == null
        ? "TRUSTED: first checkpoint kept, " + current.origin() + " size " + current.size()
        : "CONSISTENT: " + current.origin() + " grew from " + trusted.size() + " to " + current.size() + " leaves");
    return 0;
  }

  /** Recomputes every leaf below the checkpoint's size from its event, and the root from the leaves. */
  private static void audit(LogApi api, Checkpoint checkpoint) throws IOException, LogProofException {
    CompactRange range = CompactRange.empty();
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
        if (!event.isNull() && !Arrays.equals(leafOf(event, index), leaf)) {
          throw new LogProofException("leaf " + index + " (event " + entry.get("event_id").asText() + "): the event"
              + " as stored now does not hash to its leaf — it was changed after it was logged");
        }
        range.append(leaf);
      }
    }
    if (!Arrays.equals(range.root(), checkpoint.rootHash())) {
      throw new LogProofException("the log's " + checkpoint.size() + " leaves do not hash to the signed root: its"
          + " leaf table was rewritten");
    }
  }

  private static byte[] leafOf(JsonNode event, long index) throws LogProofException {
    try {
      return MerkleHashes.leaf(CanonicalForm.ofExported(event));
    } catch (RuntimeException e) {
      throw new LogProofException("leaf " + index + ": its event cannot be hashed: " + e.getMessage());
    }
  }

  /** Keeps the checkpoint that failed, next to the trusted one: it is signed evidence. */
  private void keepEvidence(String note, PrintWriter err) {
    Path evidence = checkpointFile.resolveSibling(checkpointFile.getFileName() + ".rejected");
    try {
      Files.writeString(evidence, note, StandardCharsets.UTF_8);
      err.println("the rejected checkpoint is kept in " + evidence + "; the trusted one is unchanged");
    } catch (IOException e) {
      err.println("could not keep the rejected checkpoint: " + e.getMessage());
    }
  }
}
