package org.robustws.admin;

import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /api/stats}: public (no authentication, see {@code web.xml}), so it carries aggregate
 * figures only.
 */
@PermitAll
@Path("stats")
public class StatsResource {
  @Inject StatsService stats;

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public Stats get() {
    return stats.stats();
  }
}
