package org.robustws.endpoint;

import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.Principal;
import org.robustws.auth.AccessControl;
import org.robustws.auth.AuthFailure;
import org.robustws.auth.Identity;
import org.robustws.config.WsSettings;
import org.robustws.connection.Admission;
import org.robustws.connection.ConnectionManager;
import org.robustws.connection.TrafficListener;
import org.robustws.logging.WsLog;

/**
 * Refuses a WebSocket handshake with a plain HTTP status before the upgrade, where a client and any
 * proxy understand it: 400 for a handshake RFC 6455 section 4.2.1 does not allow, 426 for a
 * protocol version other than 13 (section 4.4), 403 for a foreign Origin, 503 while draining or
 * full, 429 when one address holds too many connections, 401 for an invalid {@code Authorization:
 * Bearer} token on {@code /ws} (a valid one becomes the connection's identity). (After the upgrade
 * only a close code could say it.) Undertow runs application filters before its WebSocket upgrade;
 * left to itself it upgrades a malformed key and answers a wrong version with 404.
 */
@WebFilter(urlPatterns = {"/ws", "/ws-legacy"})
public class HandshakeGuard extends HttpFilter {
  private static final long serialVersionUID = 1L;
  private static final String BEARER = "Bearer ";

  @Inject transient ConnectionManager manager;
  @Inject transient ClientInfoReader clients;
  @Inject transient WsSettings settings;
  @Inject transient AccessControl access;
  @Inject transient TrafficListener traffic;
  private transient OriginPolicy origins;

  @Override
  public void init() {
    origins = new OriginPolicy(settings.allowedOrigins(), settings.allowMissingOrigin());
  }

  @Override
  protected void doFilter(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!"websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
      chain.doFilter(request, response);
      return;
    }
    String invalid = HandshakeCheck.invalid(request);
    if (invalid != null) {
      refuse(response, HttpServletResponse.SC_BAD_REQUEST, "bad_handshake", invalid);
      return;
    }
    if (!HandshakeCheck.VERSION.equals(request.getHeader("Sec-WebSocket-Version"))) {
      response.setHeader("Sec-WebSocket-Version", HandshakeCheck.VERSION);
      refuse(
          response,
          426,
          "unsupported_version",
          "Sec-WebSocket-Version must be " + HandshakeCheck.VERSION);
      return;
    }
    if (!origins.allows(request.getHeader("Origin"), request.getHeader("Host"))) {
      refuse(
          response, HttpServletResponse.SC_FORBIDDEN, "origin_not_allowed", "Origin not allowed");
      return;
    }
    String address =
        clients.clientAddress(request.getRemoteAddr(), request.getHeader("X-Forwarded-For"));
    HttpServletRequest authenticated = request;
    String authorization = request.getHeader("Authorization");
    if (access.enabled()
        && authorization != null
        && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
        && request.getRequestURI().endsWith("/ws")) {
      try {
        authenticated =
            withPrincipal(request, access.verify(authorization.substring(BEARER.length()).trim()));
      } catch (AuthFailure failure) {
        traffic.authFailed(failure.reason().label());
        WsLog.LOG.bearerRefused(address, failure.reason().label());
        response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
        refuse(
            response,
            HttpServletResponse.SC_UNAUTHORIZED,
            failure.reason() == AuthFailure.Reason.EXPIRED ? "token_expired" : "invalid_token",
            failure.getMessage() + " (" + failure.reason().label() + ")");
        return;
      }
    }
    Admission admission = manager.check(address);
    switch (admission) {
      case OPEN -> chain.doFilter(authenticated, response);
      case ADDRESS_FULL -> refuse(response, 429, "too_many_connections", admission.reason());
      default ->
          refuse(
              response,
              HttpServletResponse.SC_SERVICE_UNAVAILABLE,
              "unavailable",
              admission.reason());
    }
  }

  /** The request as the WebSocket upgrade sees it: its user principal is the verified identity. */
  private static HttpServletRequest withPrincipal(HttpServletRequest request, Identity identity) {
    TokenPrincipal principal = new TokenPrincipal(identity);
    return new HttpServletRequestWrapper(request) {
      @Override
      public Principal getUserPrincipal() {
        return principal;
      }
    };
  }

  private static void refuse(HttpServletResponse response, int status, String error, String text)
      throws IOException {
    response.setStatus(status);
    if (status == 429 || status == HttpServletResponse.SC_SERVICE_UNAVAILABLE) {
      response.setHeader("Retry-After", "5");
    }
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.getWriter().write("{\"error\":\"" + error + "\",\"message\":\"" + text + "\"}");
  }
}
