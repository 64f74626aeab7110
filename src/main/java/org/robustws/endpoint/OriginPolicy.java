package org.robustws.endpoint;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which browser pages may open a WebSocket here: those served by this host, those listed in {@code
 * ws.allowed-origins} ({@code *} for any), and, if allowed, clients that send no Origin at all
 * (non-browser clients; browsers always send one). Stops other sites from riding on a user's
 * cookies (cross-site WebSocket hijacking). The admin API uses it with an empty list: same origin
 * only ({@code SameOriginFilter}).
 */
public final class OriginPolicy {
  private final Set<String> allowed;
  private final boolean any;
  private final boolean allowMissing;

  public OriginPolicy(List<String> allowedOrigins, boolean allowMissing) {
    this.allowed =
        allowedOrigins.stream()
            .map(OriginPolicy::normalize)
            .filter(o -> !o.isEmpty())
            .collect(Collectors.toUnmodifiableSet());
    this.any = allowed.contains("*");
    this.allowMissing = allowMissing;
  }

  /**
   * @param origin the Origin header, or {@code null}
   * @param host the Host header of the same request, or {@code null}
   */
  public boolean allows(String origin, String host) {
    if (origin == null || origin.isBlank()) {
      return allowMissing;
    }
    String normalized = normalize(origin);
    if (any || allowed.contains(normalized)) {
      return true;
    }
    try {
      String authority = URI.create(normalized).getRawAuthority();
      return authority != null && host != null && authority.equals(normalize(host));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String normalize(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    return v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
  }
}
