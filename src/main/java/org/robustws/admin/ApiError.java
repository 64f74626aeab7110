package org.robustws.admin;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The body of every error the API answers itself: {@code {"error":"not_found","message":"..."}}.
 *
 * @param error a stable, machine-readable code
 * @param message for people
 */
public record ApiError(String error, String message) {

  static WebApplicationException badRequest(String message) {
    return failure(Response.Status.BAD_REQUEST, "bad_request", message);
  }

  static WebApplicationException notFound(String message) {
    return failure(Response.Status.NOT_FOUND, "not_found", message);
  }

  private static WebApplicationException failure(
      Response.Status status, String error, String message) {
    return new WebApplicationException(
        message,
        Response.status(status)
            .type(MediaType.APPLICATION_JSON_TYPE)
            .entity(new ApiError(error, message))
            .build());
  }
}
