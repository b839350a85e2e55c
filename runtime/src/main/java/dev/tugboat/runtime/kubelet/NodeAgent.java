package dev.tugboat.runtime.kubelet;

import dev.tugboat.runtime.container.ContainerRuntime;
import dev.tugboat.runtime.container.KernelCgroups;
import dev.tugboat.runtime.images.ImageStore;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Base64;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agent: registers its Node, renews its Lease in kube-node-lease, watches the pods bound to it (an informer
 * over spec.nodeName) and runs them through {@link PodSync}, and serves logs, exec and attach over HTTPS. It talks to
 * the control plane only through the Kubernetes API, as a kubelet does.
 */
public final class NodeAgent implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);

  /**
   * @param kubeconfig how to reach the API server (its CA also verifies the API server's client certificate here)
   * @param address    the address to serve on and to advertise as the Node's InternalIP
   * @param port       0 picks a free port (advertised as it is bound)
   */
  public record Options(Path kubeconfig, String nodeName, Path dataDir, Path cert, Path key, String address, int port,
      Path imageStore, Path runtimeRoot, boolean removePodsOnExit) {}

  /** How long the pods of a node that shuts down for good get to stop on SIGTERM before SIGKILL. */
  static final java.time.Duration SHUTDOWN_GRACE = java.time.Duration.ofSeconds(10);

  private final KubernetesClient client;
  private final ContainerRuntime runtime;
  private final PodSync pods;
  private final KubeletServer server;
  private final SharedIndexInformer<Pod> informer;
  private final NodeHeartbeat heartbeat;
  private final boolean removePodsOnExit;

  private NodeAgent(KubernetesClient client, ContainerRuntime runtime, PodSync pods, KubeletServer server,
      SharedIndexInformer<Pod> informer, NodeHeartbeat heartbeat, boolean removePodsOnExit) {
    this.client = client;
    this.runtime = runtime;
    this.pods = pods;
    this.server = server;
    this.informer = informer;
    this.heartbeat = heartbeat;
    this.removePodsOnExit = removePodsOnExit;
  }

  public static NodeAgent start(Options options) throws IOException, InterruptedException {
    if (!options.nodeName().matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")) {
      throw new IllegalArgumentException("--node-name " + options.nodeName() + ": must be a DNS subdomain "
          + "(lower case letters, digits, '-' and '.')");
    }
    Config config = Config.fromKubeconfig(read(options.kubeconfig(), "--kubeconfig"));
    X509Certificate ca = clusterCa(config, options.kubeconfig());
    X509Certificate serving = certificate(read(options.cert(), "--cert"), "--cert " + options.cert());
    PrivateKey key = privateKey(read(options.key(), "--key"), "--key " + options.key());
    Files.createDirectories(options.dataDir());
    ImageStore images = ImageStore.open(options.imageStore());
    ContainerRuntime runtime = new ContainerRuntime(options.runtimeRoot(), KernelCgroups.detect());
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    PodSync pods = null;
    KubeletServer server = null;
    NodeHeartbeat heartbeat = null;
    try {
      pods = new PodSync(client, runtime, images, options.dataDir().resolve("pods"), options.address(),
          Clock.systemUTC());
      server = KubeletServer.start(new InetSocketAddress(InetAddress.getByName(options.address()), options.port()),
          serving, key, ca, pods);
      int port = server.localAddress().getPort();
      heartbeat = NodeHeartbeat.start(client, options.nodeName(), options.address(), port, options.dataDir(),
          Clock.systemUTC());
      PodSync sync = pods;
      SharedIndexInformer<Pod> informer = client.pods().inAnyNamespace()
          .withField("spec.nodeName", options.nodeName()).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
              sync.podChanged(pod);
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
              sync.podChanged(pod);
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
              sync.podDeleted(pod);
            }
          }, 0);
      while (!informer.hasSynced()) {
        Thread.sleep(50);
      }
      pods.podsListed();
      LOG.info("node {} serving on https://{}:{}", options.nodeName(), options.address(), port);
      return new NodeAgent(client, runtime, pods, server, informer, heartbeat, options.removePodsOnExit());
    } catch (IOException | InterruptedException | RuntimeException e) {
      if (heartbeat != null) heartbeat.close();
      if (server != null) server.close();
      if (pods != null) pods.close();
      client.close();
      runtime.close();
      throw e;
    }
  }

  public int port() {
    return server.localAddress().getPort();
  }

  private static String read(Path file, String flag) throws IOException {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new IOException(flag + " " + file + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static X509Certificate clusterCa(Config config, Path kubeconfig) throws IOException {
    if (config.getCaCertData() != null) {
      return certificate(new String(Base64.getDecoder().decode(config.getCaCertData()), StandardCharsets.UTF_8),
          "--kubeconfig " + kubeconfig + ": certificate-authority-data");
    }
    if (config.getCaCertFile() != null) {
      return certificate(Files.readString(Path.of(config.getCaCertFile())), config.getCaCertFile());
    }
    throw new IOException("--kubeconfig " + kubeconfig + ": names no certificate authority, which the node agent "
        + "needs to verify the API server when it connects for logs and exec");
  }

  static X509Certificate certificate(String pem, String source) throws IOException {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    } catch (CertificateException e) {
      throw new IOException(source + ": not a PEM certificate: " + e.getMessage(), e);
    }
  }

  static PrivateKey privateKey(String pem, String source) throws IOException {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object object = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (object instanceof PrivateKeyInfo info) return converter.getPrivateKey(info);
      if (object instanceof PEMKeyPair pair) return converter.getPrivateKey(pair.getPrivateKeyInfo());
      throw new IOException(source + ": not a PEM private key");
    }
  }

  /**
   * Stops serving and watching. Containers keep running (their output still goes to their log files); an agent
   * started again over the same runtime root and data dir adopts them. With {@code removePodsOnExit} they are
   * stopped and removed instead, the pod objects left as they are.
   */
  @Override
  public void close() {
    informer.close();
    heartbeat.close();
    server.close();
    pods.close();
    if (removePodsOnExit) pods.removeAllPods(SHUTDOWN_GRACE);
    client.close();
    runtime.close();
  }
}
