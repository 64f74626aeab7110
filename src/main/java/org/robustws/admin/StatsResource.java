package org.robustws.admin;

import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/**
 * {@code GET /api/stats}: public (no authentication, see {@code web.xml}), so it carries aggregate
 * figures only.
 */
@PermitAll
@Path("stats")
public class StatsResource {
  @Inject ClusterAdmin cluster;

  /** This node's figures, and in {@code nodes} those of every node of its cluster. */
  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public Stats get() {
    Map<String, Stats> byNode = cluster.statsByNode();
    return byNode.get(cluster.localName()).withNodes(byNode);
  }
}
