package org.robustws.endpoint;

import java.security.Principal;
import org.robustws.auth.Identity;

/**
 * The identity a {@code /ws} upgrade request proved with {@code Authorization: Bearer}, as the
 * request's user principal: Undertow hands that principal to the WebSocket session, and nothing
 * else of the request survives the upgrade. Only {@link HandshakeGuard} makes one.
 */
record TokenPrincipal(Identity identity) implements Principal {
  @Override
  public String getName() {
    return identity.subject();
  }
}
