package dev.tugboat.control.apiserver.kubelet;

import dev.tugboat.control.apiserver.ApiRequest;
import dev.tugboat.control.apiserver.resources.StatusError;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Where a pods/log, pods/exec or pods/attach request goes: the node agent serving the pod (its Node's InternalIP and
 * kubelet port) and the kubelet path, built as kube-apiserver builds it ({@code /containerLogs/NS/POD/CONTAINER},
 * {@code /exec/NS/POD/CONTAINER?command=..&input=1&output=1&error=1}). Failures are the Status kube-apiserver sends.
 */
public record KubeletTarget(String nodeName, String host, int port, String path) {

  /** The pod subresources served by the pod's node agent. */
  public static final Set<String> SUBRESOURCES = Set.of("log", "exec", "attach");

  /** kubelet's default port, used when a Node does not say (status.daemonEndpoints.kubeletEndpoint.Port). */
  public static final int DEFAULT_PORT = 10250;

  private static final List<String> LOG_OPTIONS = List.of("follow", "tailLines", "timestamps", "sinceSeconds",
      "sinceTime", "limitBytes", "previous");

  /** The node the pod is bound to; 400 as kube-apiserver's when it has none. */
  public static String nodeName(JsonNode pod, String podName) {
    String node = pod.path("spec").path("nodeName").asString("");
    if (node.isEmpty()) {
      throw StatusError.badRequest("pod " + podName + " does not have a host assigned");
    }
    return node;
  }

  /**
   * @param pod  the pod addressed by {@code request}
   * @param node its Node (spec.nodeName), or null if no such Node is registered
   */
  public static KubeletTarget resolve(ApiRequest request, JsonNode pod, JsonNode node) {
    String podName = request.name();
    String nodeName = nodeName(pod, podName);
    String container = container(request, pod, podName);
    if (node == null) {
      throw new StatusError(503, "ServiceUnavailable", "pod " + podName + " is bound to node " + nodeName
          + ", which is not registered (no Node object): its node agent has not started", null);
    }
    String host = null;
    for (JsonNode address : node.path("status").path("addresses")) {
      if (address.path("type").asString("").equals("InternalIP")) {
        host = address.path("address").asString(null);
        break;
      }
    }
    if (host == null || host.isEmpty()) {
      throw new StatusError(503, "ServiceUnavailable", "node " + nodeName + " of pod " + podName
          + " has no InternalIP in status.addresses: its node agent cannot be reached", null);
    }
    int port = node.path("status").path("daemonEndpoints").path("kubeletEndpoint").path("Port").asInt(0);
    if (port <= 0 || port > 65535) {
      port = DEFAULT_PORT;
    }
    String prefix = request.namespace() + "/" + podName + "/" + container;
    String path = switch (request.subresource()) {
      case "log" -> "/containerLogs/" + prefix + query(logOptions(request.query()));
      case "exec" -> "/exec/" + prefix + query(streamOptions(request, true));
      case "attach" -> "/attach/" + prefix + query(streamOptions(request, false));
      default -> throw new IllegalArgumentException("not a kubelet subresource: " + request.subresource());
    };
    return new KubeletTarget(nodeName, host, port, path);
  }

  /** The container named by ?container=, or the pod's only one; kube-apiserver's messages otherwise. */
  static String container(ApiRequest request, JsonNode pod, String podName) {
    List<String> names = new ArrayList<>();
    for (String list : new String[] {"containers", "initContainers", "ephemeralContainers"}) {
      pod.path("spec").path(list).forEach(c -> names.add(c.path("name").asString("")));
    }
    String container = request.queryParam("container");
    if (container == null || container.isEmpty()) {
      List<String> regular = new ArrayList<>();
      pod.path("spec").path("containers").forEach(c -> regular.add(c.path("name").asString("")));
      if (regular.size() == 1) {
        return regular.get(0);
      }
      throw StatusError.badRequest("a container name must be specified for pod " + podName + ", choose one of: "
          + "[" + String.join(" ", regular) + "]");
    }
    if (!names.contains(container)) {
      throw StatusError.badRequest("container " + container + " is not valid for pod " + podName);
    }
    return container;
  }

  private static List<Map.Entry<String, String>> logOptions(Map<String, List<String>> query) {
    List<Map.Entry<String, String>> options = new ArrayList<>();
    for (String key : LOG_OPTIONS) {
      List<String> values = query.get(key);
      if (values != null && !values.isEmpty()) {
        options.add(Map.entry(key, values.get(0)));
      }
    }
    return options;
  }

  /** PodExecOptions/PodAttachOptions as kubelet's query: stdin, stdout, stderr become input, output, error. */
  private static List<Map.Entry<String, String>> streamOptions(ApiRequest request, boolean exec) {
    List<Map.Entry<String, String>> options = new ArrayList<>();
    boolean any = false;
    for (String[] rename : new String[][] {{"stdin", "input"}, {"stdout", "output"}, {"stderr", "error"},
        {"tty", "tty"}}) {
      if (isTrue(request.queryParam(rename[0]))) {
        options.add(Map.entry(rename[1], "1"));
        any |= !rename[0].equals("tty");
      }
    }
    if (!any) {
      throw StatusError.badRequest("you must specify at least 1 of stdin, stdout, stderr");
    }
    if (exec) {
      List<String> command = request.query().getOrDefault("command", List.of());
      if (command.isEmpty()) {
        throw StatusError.badRequest("command: Required value: you must specify a command");
      }
      command.forEach(c -> options.add(Map.entry("command", c)));
    }
    return options;
  }

  private static String query(List<Map.Entry<String, String>> options) {
    if (options.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder("?");
    for (Map.Entry<String, String> option : options) {
      if (out.length() > 1) {
        out.append('&');
      }
      out.append(option.getKey()).append('=').append(URLEncoder.encode(option.getValue(), StandardCharsets.UTF_8)
          .replace("+", "%20"));
    }
    return out.toString();
  }

  private static boolean isTrue(String value) {
    return value != null && Set.of("1", "t", "T", "true", "TRUE", "True").contains(value);
  }
}
