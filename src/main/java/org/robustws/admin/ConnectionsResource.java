package org.robustws.admin;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import org.jboss.logging.Logger;
import org.robustws.connection.ConnectionSnapshot;
import org.robustws.fanout.Fanout;
import org.robustws.protocol.CloseCodes;
import org.robustws.protocol.Utf8;

/**
 * {@code /api/connections}: list, inspect, message and close open connections of both endpoints, on
 * every node of a cluster.
 */
@RolesAllowed(AdminApplication.ROLE)
@Path("connections")
@Produces(MediaType.APPLICATION_JSON)
public class ConnectionsResource {
  private static final Logger LOG = Logger.getLogger(ConnectionsResource.class);

  @Inject ClusterAdmin cluster;
  @Inject Fanout fanout;

  /** Open connections, oldest first, filtered by {@code endpoint} and {@code state}, paged. */
  @GET
  public ConnectionPage list(
      @QueryParam("endpoint") String endpoint,
      @QueryParam("state") String state,
      @QueryParam("offset") String offset,
      @QueryParam("limit") String limit) {
    ConnectionQuery query;
    try {
      query = ConnectionQuery.parse(endpoint, state, offset, limit);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(e.getMessage());
    }
    return query.apply(cluster.snapshots());
  }

  @GET
  @Path("{id}")
  public ConnectionSnapshot get(@PathParam("id") String id) {
    return cluster.find(id).orElseThrow(() -> unknown(id));
  }

  /**
   * Closes one connection with {@code code} (default 1000) and {@code reason}.
   *
   * @return 204 once the close has started; 404 for a connection that is not open, also one whose
   *     close has started (it leaves the registry at once: of concurrent calls, one gets 204)
   */
  @DELETE
  @Path("{id}")
  public Response close(
      @PathParam("id") String id,
      @QueryParam("code") String code,
      @QueryParam("reason") String reason,
      @Context SecurityContext caller) {
    int closeCode = closeCode(code);
    String closeReason = reason == null ? "closed by an administrator" : reason;
    if (Utf8.length(closeReason) > AdminCloseCodes.MAX_REASON_BYTES) {
      throw ApiError.badRequest(
          "reason must fit in " + AdminCloseCodes.MAX_REASON_BYTES + " UTF-8 bytes");
    }
    if (cluster.close(id, closeCode, closeReason)) {
      LOG.infof("%s closed %s with %d", AdminApplication.caller(caller), id, closeCode);
      return Response.noContent().build();
    }
    throw unknown(id);
  }

  /**
   * Sends the body (any JSON) to one connection as a {@code direct} message's {@code data}, on
   * whichever node holds it.
   *
   * @return 204 once it is queued on that connection; 404 if no node holds it open
   */
  @POST
  @Path("{id}/direct")
  @Consumes(MediaType.APPLICATION_JSON)
  public Response direct(@PathParam("id") String id, String body, @Context SecurityContext caller) {
    if (fanout.sendTo(id, JsonBody.read(body))) {
      LOG.infof("%s sent direct to %s", AdminApplication.caller(caller), id);
      return Response.noContent().build();
    }
    throw unknown(id);
  }

  private static int closeCode(String code) {
    if (code == null) {
      return CloseCodes.NORMAL;
    }
    try {
      int value = Integer.parseInt(code.trim());
      if (AdminCloseCodes.isAllowed(value)) {
        return value;
      }
    } catch (NumberFormatException e) {
      throw ApiError.badRequest("code must be a number");
    }
    throw ApiError.badRequest("code must be 1000, 1001, 1008, 1011, 1012, 1013 or 4000-4999");
  }

  private static RuntimeException unknown(String id) {
    return ApiError.notFound("no open connection " + id);
  }
}
