package dev.auditflow.cli;

/**
 * A command could not do what it was asked, for a reason its user can act on: printed as one line
 * — {@code auditflow <command>: <message>} — and, when there is one, a second line with what to do
 * about it; exit code 2. Never a stack trace ({@code --verbose} shows one).
 */
public final class CliFailure extends RuntimeException {
  private final String hint;

  public CliFailure(String message, String hint) {
    super(message, null, false, false);
    this.hint = hint;
  }

  public CliFailure(String message, String hint, Throwable cause) {
    super(message, cause, false, false);
    this.hint = hint;
  }

  /** What to do about it, or null. */
  public String hint() {
    return hint;
  }
}
