package org.robustws.admin;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;

/**
 * The administration API at {@code /api}. Everything but {@code /api/stats} requires HTTP BASIC
 * with the role {@code ws-admin} (declared in {@code WEB-INF/web.xml}, checked by WildFly's
 * Elytron). The resources repeat it with {@code @RolesAllowed}, which RESTEasy checks too ({@code
 * resteasy.role.based.security}), so a server without the security mapping refuses instead of
 * serving everyone.
 */
@ApplicationPath("/api")
public class AdminApplication extends Application {
  /** The role every operation but the statistics requires. */
  public static final String ROLE = "ws-admin";

  /** Who called, for the log of administrative actions. */
  static String caller(SecurityContext security) {
    Principal principal = security.getUserPrincipal();
    return principal == null ? "(anonymous)" : principal.getName();
  }
}
