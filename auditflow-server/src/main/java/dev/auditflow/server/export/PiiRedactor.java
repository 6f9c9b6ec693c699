package dev.auditflow.server.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Kubernaut's export redaction rules: {@code event_data.user_email}, {@code event_data.source_ip}
 * and {@code event_data.phone_number} are masked — {@code user@domain.com → u***@d***.com},
 * {@code 192.168.1.1 → 192.***.*.***}, {@code +1-555-1234 → +1-***-****} — and so is {@code
 * exported_by} when it is an email address. Redaction happens after the chains were verified;
 * the export says which fields of which events it masked.
 */
public final class PiiRedactor {
  public static final String RULES = "kubernaut-pii-v1";
  public static final List<String> FIELDS = List.of("event_data.user_email", "event_data.source_ip",
      "event_data.phone_number");
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+");

  private PiiRedactor() {}

  /** Masks the rules' fields of an event (as exported JSON) in place; returns the fields it changed. */
  public static List<String> redact(ObjectNode event) {
    List<String> redacted = new ArrayList<>();
    JsonNode data = event.get("event_data");
    if (!(data instanceof ObjectNode fields)) {
      return redacted;
    }
    mask(fields, "user_email", PiiRedactor::email, redacted);
    mask(fields, "source_ip", PiiRedactor::ip, redacted);
    mask(fields, "phone_number", PiiRedactor::phone, redacted);
    return redacted;
  }

  private static void mask(ObjectNode data, String field, java.util.function.UnaryOperator<String> rule,
      List<String> redacted) {
    JsonNode value = data.get(field);
    if (value != null && value.isTextual()) {
      String masked = rule.apply(value.asText());
      if (!masked.equals(value.asText())) {
        data.put(field, masked);
        redacted.add("event_data." + field);
      }
    }
  }

  /** {@code exported_by} as the export states it: masked when it is an email address. */
  public static String principal(String name) {
    return EMAIL.matcher(name).matches() ? email(name) : name;
  }

  static String email(String value) {
    int at = value.indexOf('@');
    if (at <= 0 || at == value.length() - 1) {
      return "***";
    }
    String domain = value.substring(at + 1);
    int dot = domain.lastIndexOf('.');
    String tld = dot > 0 ? domain.substring(dot) : "";
    return value.charAt(0) + "***@" + domain.charAt(0) + "***" + tld;
  }

  static String ip(String value) {
    if (value.contains(":")) { // IPv6: keep the first group
      int colon = value.indexOf(':');
      return value.substring(0, colon) + ":***";
    }
    String[] octets = value.split("\\.", -1);
    if (octets.length != 4) {
      return "***";
    }
    return octets[0] + ".***.*.***";
  }

  static String phone(String value) {
    String[] groups = value.split("(?=[-\\s])", 2);
    if (groups.length < 2) {
      return value.replaceAll("\\d", "*");
    }
    return groups[0] + groups[1].replaceAll("\\d", "*");
  }
}
