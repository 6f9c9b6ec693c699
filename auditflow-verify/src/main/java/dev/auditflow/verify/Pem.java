package dev.auditflow.verify;

import java.util.Base64;

/** PEM armour for keys: {@code -----BEGIN <label>-----}, base64 in 64-column lines, {@code -----END}. */
public final class Pem {
  private Pem() {}

  public static String encode(String label, byte[] der) {
    return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + label + "-----\n";
  }

  /** The DER inside the first {@code label} block of {@code pem}. */
  public static byte[] decode(String label, String pem) {
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    int from = pem.indexOf(begin);
    int to = pem.indexOf(end);
    if (from < 0 || to < from) {
      throw new IllegalArgumentException("no " + begin + " block");
    }
    return Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
  }
}
