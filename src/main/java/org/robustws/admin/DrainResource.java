package org.robustws.admin;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.util.concurrent.RejectedExecutionException;
import org.jboss.logging.Logger;
import org.robustws.connection.ConnectionManager;

/**
 * {@code POST /api/drain}: the graceful stop without stopping. Readiness turns DOWN, every client
 * gets {@code system/shutdown} and then 1012. Answers 202 at once; the drain runs on a managed
 * thread ({@link Drainer}). Only a redeploy or a restart ends the draining state; later calls
 * change nothing and answer 202 too.
 */
@RolesAllowed(AdminApplication.ROLE)
@Path("drain")
public class DrainResource {
  private static final Logger LOG = Logger.getLogger(DrainResource.class);

  @Inject ConnectionManager manager;
  @Inject Drainer drainer;

  @POST
  @Produces(MediaType.APPLICATION_JSON)
  public Response drain(@Context SecurityContext caller) {
    int open = manager.size();
    try {
      if (drainer.start()) {
        LOG.infof("%s started a drain of %d connections", AdminApplication.caller(caller), open);
      }
    } catch (RejectedExecutionException e) {
      LOG.errorf(e, "Could not start the drain");
      return Response.status(Response.Status.SERVICE_UNAVAILABLE)
          .entity(new ApiError("unavailable", "could not start the drain; try again"))
          .build();
    }
    return Response.accepted(new Draining(true, open)).build();
  }

  /**
   * The answer to {@code POST /api/drain}.
   *
   * @param openConnections connections open when the drain was asked for
   */
  public record Draining(boolean draining, int openConnections) {}
}
