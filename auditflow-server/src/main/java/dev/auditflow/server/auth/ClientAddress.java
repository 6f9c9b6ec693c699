package dev.auditflow.server.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who is calling, as far as the network can tell: the socket's peer — or, when that peer is a
 * trusted proxy, the nearest address in its {@code X-Forwarded-For} that is not itself a trusted
 * proxy (the right-most untrusted hop: the left part of the header is whatever the client wrote).
 * Behind an ingress every request comes from the ingress; counting failures per socket address
 * then locked every user out together, and told one guesser from another not at all.
 */
final class ClientAddress {
  static final String FORWARDED_FOR = "X-Forwarded-For";
  private static final Pattern IP_LITERAL = Pattern.compile("[0-9A-Fa-f.:]{2,45}");

  private ClientAddress() {}

  /**
   * @param peer the socket's remote address
   * @param forwardedFor every {@code X-Forwarded-For} header value, in the order received
   */
  static String of(String peer, List<String> forwardedFor, Set<String> trustedProxies) {
    if (!trustedProxies.contains(peer)) {
      return peer;
    }
    List<String> hops = forwardedFor.stream().flatMap(v -> Arrays.stream(v.split(","))).map(String::strip).toList();
    for (int i = hops.size() - 1; i >= 0; i--) {
      String hop = hops.get(i);
      if (!IP_LITERAL.matcher(hop).matches()) {
        return peer; // not an address: the proxy's own view is all there is
      }
      if (!trustedProxies.contains(hop)) {
        return hop;
      }
    }
    return peer;
  }

  /** Every {@code X-Forwarded-For} value of the request, in the order received. */
  static List<String> forwardedFor(io.javalin.http.Context ctx) {
    return java.util.Collections.list(ctx.req().getHeaders(FORWARDED_FOR));
  }

  /**
   * The key failures are counted under: the address itself for IPv4, its /64 network for IPv6 —
   * one host is commonly given a whole /64, and walking through it would otherwise never be slowed.
   */
  static String failureKey(String address) {
    if (address.indexOf(':') < 0) {
      return address;
    }
    try {
      byte[] bytes = InetAddress.getByName(address).getAddress(); // an IPv6 literal: no name lookup
      return bytes.length == 16 ? HexFormat.of().formatHex(bytes, 0, 8) + "::/64" : address;
    } catch (UnknownHostException e) {
      return address;
    }
  }
}
