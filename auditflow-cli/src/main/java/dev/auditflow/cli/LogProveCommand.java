package dev.auditflow.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.log.Checkpoint;
import dev.auditflow.api.log.LogProofException;
import dev.auditflow.api.log.NoteKey;
import dev.auditflow.verify.EventInclusion;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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
        + " with the event as stored recomputed to its leaf (with shards: to its shard's signed checkpoint, and that"
        + " checkpoint to the root log's). Writes the proof as JSON (--out, or stdout);"
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
    EventInclusion.Proven proven;
    try {
      ApiClient client = connection.client(err);
      NoteKey noteKey = key.noteKey(client, err);
      proof = what.check != null ? (ObjectNode) AuditEventJson.mapper().readTree(what.check.toFile())
          : fetch(new LogApi(client), noteKey);
      proven = EventInclusion.check(proof, noteKey);
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
    err.println("PROVEN: " + proven.describe());
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
}
