package dev.tugboat.control;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loopback ports for tests that must name a server's port before it starts (a member's peer URL in another member's
 * --initial-cluster): free when asked, and never handed out twice in one test JVM. The kernel may give a port it just
 * handed out and saw closed to the very next caller; before this, two members of one test were once given the same
 * port, and one of them never started.
 */
public final class LoopbackPorts {
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private LoopbackPorts() {}

  public static int next() throws IOException {
    while (true) {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        int port = socket.getLocalPort();
        if (HANDED_OUT.add(port)) {
          return port;
        }
      }
    }
  }
}
