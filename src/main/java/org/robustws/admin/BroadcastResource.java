package org.robustws.admin;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import org.jboss.logging.Logger;
import org.robustws.fanout.Fanout;
import org.robustws.protocol.Channels;
import org.robustws.stream.ChannelStreams.Publication;

/**
 * {@code POST /api/broadcast}: {@code {"channel":"news","data":...}} publishes an {@code event} to
 * the channel's subscribers (kept for resume); {@code {"data":...}} sends {@code broadcast} to
 * every open connection of both endpoints (not kept).
 */
@RolesAllowed(AdminApplication.ROLE)
@Path("broadcast")
public class BroadcastResource {
  private static final Logger LOG = Logger.getLogger(BroadcastResource.class);

  @Inject Fanout fanout;

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  public Delivered broadcast(String body, @Context SecurityContext caller) {
    JsonObject request = parse(body);
    JsonValue data = request.get("data");
    if (data == null) {
      throw ApiError.badRequest("data is missing");
    }
    JsonValue channel = request.get("channel");
    int delivered;
    if (channel == null) {
      delivered = fanout.broadcast(data);
      LOG.infof("%s broadcast to %d connections", AdminApplication.caller(caller), delivered);
    } else if (channel instanceof JsonString named && Channels.isValid(named.getString())) {
      delivered = fanout.publish(named.getString(), new Publication(data, null)).delivered();
      LOG.infof(
          "%s published to %s: %d sessions",
          AdminApplication.caller(caller), named.getString(), delivered);
    } else {
      throw ApiError.badRequest("channel must be 1-128 characters of A-Z a-z 0-9 . _ : -");
    }
    return new Delivered(delivered);
  }

  private static JsonObject parse(String body) {
    if (JsonBody.read(body) instanceof JsonObject object) {
      return object;
    }
    throw ApiError.badRequest("the body must be a JSON object");
  }
}
