package org.robustws.auth;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.Config;
import org.robustws.api.ChannelAuthorizer;
import org.robustws.logging.WsLog;

/**
 * Reads the authentication settings (docs/security.md) through MicroProfile Config, so each has its
 * environment variable form too ({@code MP_JWT_VERIFY_PUBLICKEY_LOCATION}, {@code
 * WS_AUTH_REQUIRED}, {@code WS_NAMESPACE_NEWS_SUBSCRIBE}), and makes the {@link AccessControl}. A
 * setting that makes no sense fails the deployment.
 */
@ApplicationScoped
public class AuthProducer {
  private static final Pattern PROPERTY =
      Pattern.compile("ws\\.namespace\\.(.+)\\.(subscribe|publish)");
  private static final Pattern ENVIRONMENT =
      Pattern.compile("WS_NAMESPACE_(.+)_(SUBSCRIBE|PUBLISH)");

  @Produces
  @Singleton
  AuthSettings settings(Config config) {
    AuthSettings d = AuthSettings.off();
    Optional<AuthSettings.Verification> verification =
        config
            .getOptionalValue("mp.jwt.verify.publickey.location", String.class)
            .filter(location -> !location.isBlank())
            .map(
                location ->
                    new AuthSettings.Verification(
                        location.trim(),
                        config.getOptionalValue("mp.jwt.verify.issuer", String.class),
                        config
                            .getOptionalValues("mp.jwt.verify.audiences", String.class)
                            .orElse(List.of()),
                        config
                            .getOptionalValue("mp.jwt.verify.publickey.algorithm", String.class)
                            .orElse("RS256"),
                        config
                            .getOptionalValue("mp.jwt.verify.clock.skew", Integer.class)
                            .orElse(60)));
    return new AuthSettings(
        verification,
        config.getOptionalValue("ws.auth.required", Boolean.class).orElse(d.required()),
        config.getOptionalValue("ws.auth.timeout-ms", Long.class).orElse(d.timeoutMs()),
        config.getOptionalValue("ws.auth.expiry-grace-ms", Long.class).orElse(d.expiryGraceMs()),
        config
            .getOptionalValue("ws.max-connections-per-user", Integer.class)
            .orElse(d.maxConnectionsPerUser()));
  }

  @Produces
  @Singleton
  AccessControl accessControl(
      AuthSettings settings, Config config, @Any Instance<ChannelAuthorizer> authorizers) {
    Optional<TokenVerifier> verifier =
        settings
            .verifier()
            .map(
                v -> {
                  JwtVerifier jwt =
                      new JwtVerifier(
                          v,
                          minutes(config, "smallrye.jwt.jwks.refresh-interval", 60),
                          minutes(config, "smallrye.jwt.jwks.forced-refresh-interval", 30));
                  jwt.warmUp();
                  return jwt;
                });
    ChannelRule fallback =
        settings.enabled() ? new ChannelRule.Authenticated() : new ChannelRule.Anyone();
    ChannelPermissions permissions =
        new ChannelPermissions(
            namespaces(config, fallback),
            new ChannelPermissions.Rules(fallback, fallback),
            authorizers.stream().toList());
    return new AccessControl(settings, verifier, permissions);
  }

  /** Makes the access control at deployment, so a bad setting fails it, and warns if it is open. */
  void start(@Observes @Initialized(ApplicationScoped.class) Object ignored, AccessControl access) {
    if (!access.enabled()) {
      WsLog.LOG.noVerifier();
    }
  }

  private static int minutes(Config config, String name, int defaultValue) {
    return config.getOptionalValue(name, Integer.class).orElse(defaultValue);
  }

  /**
   * The rules of every namespace that has a key of its own. A property ({@code
   * ws.namespace.news.subscribe}) wins over the environment variable of the same namespace.
   */
  static Map<String, ChannelPermissions.Rules> namespaces(Config config, ChannelRule fallback) {
    Map<String, ChannelRule> subscribe = new HashMap<>();
    Map<String, ChannelRule> publish = new HashMap<>();
    // the environment variables first, so that a property of the same namespace replaces them
    for (Pattern form : List.of(ENVIRONMENT, PROPERTY)) {
      for (String name : config.getPropertyNames()) {
        Matcher setting = form.matcher(name);
        if (setting.matches()) {
          ChannelRule rule =
              ChannelRule.parse(name, config.getOptionalValue(name, String.class).orElse(""));
          (setting.group(2).equalsIgnoreCase("subscribe") ? subscribe : publish)
              .put(ChannelPermissions.key(setting.group(1)), rule);
        }
      }
    }
    Map<String, ChannelPermissions.Rules> rules = new HashMap<>();
    Set<String> namespaces = new HashSet<>(subscribe.keySet());
    namespaces.addAll(publish.keySet());
    for (String namespace : namespaces) {
      rules.put(
          namespace,
          new ChannelPermissions.Rules(
              subscribe.getOrDefault(namespace, fallback),
              publish.getOrDefault(namespace, fallback)));
    }
    return rules;
  }
}
