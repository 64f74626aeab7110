package org.robustws.endpoint;

import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.robustws.config.WsSettings;
import org.robustws.connection.Admission;
import org.robustws.connection.ConnectionManager;

/**
 * Refuses a WebSocket handshake with a plain HTTP status before the upgrade, where a client and any
 * proxy understand it: 400 for a handshake RFC 6455 section 4.2.1 does not allow, 426 for a
 * protocol version other than 13 (section 4.4), 403 for a foreign Origin, 503 while draining or
 * full, 429 when one address holds too many connections. (After the upgrade only a close code could
 * say it.) Undertow runs application filters before its WebSocket upgrade; left to itself it
 * upgrades a malformed key and answers a wrong version with 404.
 */
@WebFilter(urlPatterns = {"/ws", "/ws-legacy"})
public class HandshakeGuard extends HttpFilter {
  private static final long serialVersionUID = 1L;

  @Inject transient ConnectionManager manager;
  @Inject transient ClientInfoReader clients;
  @Inject transient WsSettings settings;
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
    Admission admission = manager.check(address);
    switch (admission) {
      case OPEN -> chain.doFilter(request, response);
      case ADDRESS_FULL -> refuse(response, 429, "too_many_connections", admission.reason());
      default ->
          refuse(
              response,
              HttpServletResponse.SC_SERVICE_UNAVAILABLE,
              "unavailable",
              admission.reason());
    }
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
