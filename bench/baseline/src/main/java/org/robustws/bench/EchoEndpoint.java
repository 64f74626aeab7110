package org.robustws.bench;

import jakarta.websocket.OnMessage;
import jakarta.websocket.server.ServerEndpoint;

/** Bare echo: the text frame comes back unchanged. Deployed at /baseline/echo. */
@ServerEndpoint("/echo")
public class EchoEndpoint {

  @OnMessage
  public String echo(String message) {
    return message;
  }
}
