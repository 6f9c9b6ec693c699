package dev.auditflow.api.log;

/** A proof, checkpoint or signature that does not verify: the log is not what it claims to be. */
public final class LogProofException extends Exception {
  public LogProofException(String message) {
    super(message);
  }
}
