package dev.auditflow.server.secrets;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks the secrets that connection URLs carry, so that a URL can be logged or put in an error
 * message. The README tells users to put {@code password=…} in the database URL, and Redis URLs
 * carry theirs as {@code redis://:secret@host}.
 */
public final class Secrets {
  static final String MASK = "****";
  /** {@code scheme://user:password@} — the password part of the authority. */
  private static final Pattern USERINFO_PASSWORD = Pattern.compile("(//[^/?#@:]*:)([^/?#@]*)(@)");
  /** {@code name=value} in a query string or a semicolon-separated property list. */
  private static final Pattern PARAMETER = Pattern.compile("([?&;])([^=&;#]+)=([^&;#]*)");

  private Secrets() {}

  /** The URL with every password, secret, token or key parameter value replaced by {@value #MASK}. */
  public static String maskUrl(String url) {
    if (url == null) {
      return null;
    }
    String masked = USERINFO_PASSWORD.matcher(url).replaceAll("$1" + MASK + "$3");
    Matcher m = PARAMETER.matcher(masked);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = isSecretName(m.group(2)) ? MASK : m.group(3);
      m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + m.group(2) + "=" + value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static boolean isSecretName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.contains("password") || n.contains("secret") || n.contains("token") || n.endsWith("key");
  }
}
