package org.robustws.admin;

import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.util.List;
import java.util.Set;
import org.robustws.endpoint.OriginPolicy;

/**
 * Refuses a call that changes something (any method but GET, HEAD and OPTIONS) when a browser sent
 * it from a page of another site: 403 {@code forbidden_origin}. Browsers send cached BASIC
 * credentials with every request to this host, whichever page asks, and a plain form POST needs no
 * CORS permission: without this check any page an operator opened could drain the server. Callers
 * that send no {@code Origin} (curl, scripts, other services) are not browsers and pass.
 */
@Provider
public class SameOriginFilter implements ContainerRequestFilter {
  private static final Set<String> SAFE_METHODS =
      Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);
  private static final ApiError REFUSED =
      new ApiError(
          "forbidden_origin",
          "changes are refused from pages of another site; use this server's pages or a script");
  private final OriginPolicy sameOrigin = new OriginPolicy(List.of(), true);

  @Override
  public void filter(ContainerRequestContext request) {
    if (SAFE_METHODS.contains(request.getMethod())
        || sameOrigin.allows(
            request.getHeaderString("Origin"), request.getHeaderString(HttpHeaders.HOST))) {
      return;
    }
    request.abortWith(
        Response.status(Response.Status.FORBIDDEN)
            .type(MediaType.APPLICATION_JSON_TYPE)
            .entity(REFUSED)
            .build());
  }
}
