package org.robustws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.JsonObject;
import java.net.URL;
import org.glassfish.tyrus.client.ClientManager;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A deploying application's {@link org.robustws.api.ChannelAuthorizer} is found by CDI and asked on
 * every subscribe and publish: here it closes channels the namespace rules (open to anyone on this
 * server, which verifies no tokens) would allow.
 */
@ExtendWith(ArquillianExtension.class)
class ChannelAuthorizerIT {
  @ArquillianResource URL base;

  @Deployment(testable = false)
  static WebArchive deployment() {
    return Deployments.builtWar().addClass(VetoAuthorizer.class);
  }

  @Test
  void theApplicationsRuleRefusesWhatTheNamespaceRulesAllow() throws Exception {
    try (TestClient client =
        TestClient.connect(ClientManager.createClient(), Deployments.ws(base, "/ws"))) {
      client.next();
      client.send("{\"type\":\"subscribe\",\"channel\":\"room.vetoed\",\"id\":\"s1\"}");
      JsonObject refused = client.next();
      assertEquals("forbidden", refused.getString("error"));
      assertEquals("s1", refused.getString("ref"));
      client.send(
          "{\"type\":\"publish\",\"channel\":\"chat:room.vetoed\",\"data\":1,\"id\":\"p1\"}");
      assertEquals("forbidden", client.next().getString("error"));
      client.send("{\"type\":\"subscribe\",\"channel\":\"room.open\",\"id\":\"s2\"}");
      assertEquals("subscribed", client.next().getString("type"), "it abstains elsewhere");
    }
  }
}
