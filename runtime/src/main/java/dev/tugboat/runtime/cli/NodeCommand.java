package dev.tugboat.runtime.cli;

import dev.tugboat.runtime.container.ContainerRuntime;
import dev.tugboat.runtime.images.ImageStore;
import dev.tugboat.runtime.kubelet.NodeAgent;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tug node}: the node agent (kubelet's part in Tugboat), until SIGINT or SIGTERM. */
@Command(name = "node", mixinStandardHelpOptions = true,
    description = "Run the node agent: register the Node, run the pods bound to it, serve their logs and exec.")
final class NodeCommand implements Callable<Integer> {

  @Option(names = "--kubeconfig", paramLabel = "FILE", required = true,
      description = "How to reach the API server (`tug kubelet-certificate` writes one).")
  Path kubeconfig;

  @Option(names = "--node-name", paramLabel = "NAME", required = true, description = "This Node's name.")
  String nodeName;

  @Option(names = "--data-dir", paramLabel = "DIR", required = true,
      description = "Where pods' bundles, writable layers and logs live.")
  Path dataDir;

  @Option(names = "--cert", paramLabel = "FILE", required = true,
      description = "Serving certificate (PEM) from the cluster CA, for --address.")
  Path cert;

  @Option(names = "--key", paramLabel = "FILE", required = true, description = "Its private key (PEM).")
  Path key;

  @Option(names = "--address", paramLabel = "ADDR", defaultValue = "127.0.0.1",
      description = "Address to serve on, advertised as the Node's InternalIP (default: ${DEFAULT-VALUE}).")
  String address;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "10250",
      description = "HTTPS port for logs and exec (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @Option(names = "--image-store", paramLabel = "DIR", description = "Image store (default: /var/lib/tugboat/images).")
  Path imageStore = ImageStore.DEFAULT_ROOT;

  @Option(names = "--runtime-root", paramLabel = "DIR",
      description = "Container state root (default: /run/tugboat/runtime).")
  Path runtimeRoot = ContainerRuntime.DEFAULT_ROOT;

  @Option(names = "--remove-pods-on-exit",
      description = "On SIGTERM or SIGINT, stop and remove this node's containers (SIGKILL after 10 s) instead of "
          + "leaving them for the next agent to adopt: a node that goes away with its cluster (tug up starts its "
          + "node so).")
  boolean removePodsOnExit;

  @Option(names = "--stop-with-parent",
      description = "Stop, as on SIGTERM, when the process that started this one ends, even if it was killed "
          + "(tug up starts its node so).")
  boolean stopWithParent;

  /** prctl(2): the signal this process gets when its parent ends. */
  private static final int PR_SET_PDEATHSIG = 1;

  @Override
  public Integer call() throws Exception {
    if (stopWithParent) {
      long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(1L);
      dev.tugboat.nativebindings.Linux.prctl(PR_SET_PDEATHSIG, dev.tugboat.nativebindings.Linux.SIGTERM);
      // The parent may have ended before the request took effect.
      if (parent == 1 || ProcessHandle.of(parent).map(h -> !h.isAlive()).orElse(true)) {
        System.err.println("tug node: --stop-with-parent: the process that started this one has already ended");
        return 1;
      }
    }
    NodeAgent agent;
    try {
      agent = NodeAgent.start(new NodeAgent.Options(kubeconfig, nodeName, dataDir, cert, key, address, port,
          imageStore, runtimeRoot, removePodsOnExit));
    } catch (IllegalArgumentException | java.io.IOException e) {
      System.err.println("tug node: " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      agent.close();
      stopped.countDown();
    }, "tug-node-shutdown"));
    System.out.println("node " + nodeName + " serving on https://" + address + ":" + agent.port());
    System.out.flush();
    stopped.await();
    return 0;
  }
}
