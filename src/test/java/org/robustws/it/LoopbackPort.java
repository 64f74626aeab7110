package org.robustws.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** A port nothing listens on, for the child processes the ITs start on loopback. */
final class LoopbackPort {
  private LoopbackPort() {}

  static int free() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
