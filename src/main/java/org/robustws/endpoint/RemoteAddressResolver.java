package org.robustws.endpoint;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the client's address. X-Forwarded-For is believed only when the socket's peer is a trusted
 * proxy; then the list is read from the right, skipping trusted proxies, and the first other
 * address is the client. Anything else could be forged by the client itself.
 */
public final class RemoteAddressResolver {
  private record Range(byte[] network, int prefix) {}

  private final List<Range> trusted = new ArrayList<>();

  /**
   * @param trustedProxies IP addresses or CIDR ranges ({@code 10.0.0.0/8}, {@code ::1})
   */
  public RemoteAddressResolver(List<String> trustedProxies) {
    for (String entry : trustedProxies) {
      String value = entry.trim();
      if (value.isEmpty()) {
        continue;
      }
      int slash = value.indexOf('/');
      byte[] address = parse(slash < 0 ? value : value.substring(0, slash));
      if (address == null) {
        throw new IllegalArgumentException("not an IP address or CIDR range: " + value);
      }
      int prefix = slash < 0 ? address.length * 8 : Integer.parseInt(value.substring(slash + 1));
      trusted.add(new Range(address, prefix));
    }
  }

  /**
   * @param peer the socket's remote address
   * @param forwardedFor the X-Forwarded-For header, or {@code null}
   */
  public String resolve(String peer, String forwardedFor) {
    if (forwardedFor == null || !isTrusted(peer)) {
      return peer;
    }
    String[] hops = forwardedFor.split(",");
    String client = peer;
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].trim();
      if (parse(hop) == null) {
        break; // garbage in the header: stop at the last address we could verify
      }
      client = hop;
      if (!isTrusted(hop)) {
        break;
      }
    }
    return client;
  }

  boolean isTrusted(String address) {
    byte[] bytes = parse(address);
    if (bytes == null) {
      return false;
    }
    for (Range range : trusted) {
      if (range.network().length == bytes.length && samePrefix(range, bytes)) {
        return true;
      }
    }
    return false;
  }

  private static boolean samePrefix(Range range, byte[] address) {
    int bits = address.length * 8;
    BigInteger a = new BigInteger(1, address).shiftRight(bits - range.prefix());
    BigInteger n = new BigInteger(1, range.network()).shiftRight(bits - range.prefix());
    return a.equals(n);
  }

  /** Parses a literal IP address without ever asking DNS; {@code null} if it is not one. */
  private static byte[] parse(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    String literal =
        text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
    if (literal.indexOf(':') < 0) {
      return parseIpv4(literal);
    }
    if (!literal.matches("[0-9A-Fa-f:.]+")) {
      return null;
    }
    try {
      // a literal with ':' is parsed as IPv6, never looked up
      return InetAddress.getByName(literal).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static byte[] parseIpv4(String literal) {
    String[] parts = literal.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] bytes = new byte[4];
    for (int i = 0; i < 4; i++) {
      if (!parts[i].matches("\\d{1,3}") || Integer.parseInt(parts[i]) > 255) {
        return null;
      }
      bytes[i] = (byte) Integer.parseInt(parts[i]);
    }
    return bytes;
  }
}
