package org.robustws.it;

import jakarta.enterprise.context.ApplicationScoped;
import org.robustws.api.ChannelAuthorizer;
import org.robustws.auth.Identity;

/**
 * An application's own rule, deployed with the WAR by {@link ChannelAuthorizerIT}: channels whose
 * name ends with {@code .vetoed} are closed to every connection, whatever the namespace rules say.
 */
@ApplicationScoped
public class VetoAuthorizer implements ChannelAuthorizer {
  @Override
  public Decision authorize(Identity identity, Action action, String channel) {
    return channel.endsWith(".vetoed") ? Decision.DENY : Decision.ABSTAIN;
  }
}
