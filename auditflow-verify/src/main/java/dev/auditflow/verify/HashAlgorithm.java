package dev.auditflow.verify;

/** How an event's hash was computed; stored per row so keyed and unkeyed rows can coexist. */
public enum HashAlgorithm {
  /** SHA-256: anyone can verify; protects against accidental and naive changes. */
  SHA256("sha256"),
  /** HMAC-SHA256 with the server's chain key: only a key holder can forge a consistent chain. */
  HMAC_SHA256("hmac-sha256");

  private final String columnValue;

  HashAlgorithm(String columnValue) {
    this.columnValue = columnValue;
  }

  public String columnValue() {
    return columnValue;
  }

  public static HashAlgorithm fromColumn(String value) {
    for (HashAlgorithm a : values()) {
      if (a.columnValue.equals(value)) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown hash algorithm: " + value);
  }
}
