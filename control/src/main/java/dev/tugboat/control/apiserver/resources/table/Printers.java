package dev.tugboat.control.apiserver.resources.table;

import dev.tugboat.control.apiserver.resources.Timestamps;
import dev.tugboat.control.apiserver.resources.selection.LabelSelector;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The columns of each kind, as Kubernetes' {@code pkg/printers/internalversion} prints them. */
final class Printers {

  private Printers() {}

  private static TableConvertor.Column col(String name, String type, int priority, String description,
                                           BiFunction<ObjectNode, Instant, Object> cell) {
    return new TableConvertor.Column(name, type, name.equals("Name") ? "name" : "", description, priority, cell);
  }

  private static TableConvertor.Column name() {
    return col("Name", "string", 0, "Name must be unique within a namespace.",
        (o, now) -> o.path("metadata").path("name").asString(""));
  }

  private static TableConvertor.Column age() {
    return col("Age", "string", 0, "CreationTimestamp is a timestamp representing the server time when this object "
        + "was created.", TableConvertor::age);
  }

  static List<TableConvertor.Column> columns(String kind) {
    return switch (kind) {
      case "Pod" -> List.of(name(),
          col("Ready", "string", 0, "The aggregate readiness state of this pod for accepting traffic.",
              (o, now) -> podReady(o)),
          col("Status", "string", 0, "The aggregate status of the containers in this pod.",
              (o, now) -> podStatus(o)),
          col("Restarts", "string", 0, "The number of times the containers in this pod have been restarted.",
              (o, now) -> Long.toString(restarts(o))),
          age(),
          col("IP", "string", 1, "IP address allocated to the pod.",
              (o, now) -> orNone(o.path("status").path("podIP").asString(""))),
          col("Node", "string", 1, "Name of the Node this pod is assigned to.",
              (o, now) -> orNone(o.path("spec").path("nodeName").asString(""))),
          col("Nominated Node", "string", 1, "Name of the node nominated by the scheduler.",
              (o, now) -> orNone(o.path("status").path("nominatedNodeName").asString(""))),
          col("Readiness Gates", "string", 1, "The readiness gates of this pod.",
              (o, now) -> readinessGates(o)));
      case "Deployment" -> List.of(name(),
          col("Ready", "string", 0, "Number of the pod with ready state",
              (o, now) -> o.path("status").path("readyReplicas").asLong(0) + "/" + o.path("spec").path("replicas")
                  .asLong(0)),
          col("Up-to-date", "integer", 0, "Total number of non-terminated pods targeted by this deployment that "
              + "have the desired template spec.", (o, now) -> o.path("status").path("updatedReplicas").asLong(0)),
          col("Available", "integer", 0, "Total number of available pods (ready for at least minReadySeconds) "
              + "targeted by this deployment.", (o, now) -> o.path("status").path("availableReplicas").asLong(0)),
          age(), containersColumn(), imagesColumn(), selectorColumn());
      case "ReplicaSet" -> List.of(name(),
          col("Desired", "integer", 0, "Replicas is the number of desired replicas.",
              (o, now) -> o.path("spec").path("replicas").asLong(0)),
          col("Current", "integer", 0, "Replicas is the most recently observed number of replicas.",
              (o, now) -> o.path("status").path("replicas").asLong(0)),
          col("Ready", "integer", 0, "The number of ready replicas for this replica set.",
              (o, now) -> o.path("status").path("readyReplicas").asLong(0)),
          age(), containersColumn(), imagesColumn(), selectorColumn());
      case "Service" -> List.of(name(),
          col("Type", "string", 0, "The type of the service.", (o, now) -> o.path("spec").path("type")
              .asString("ClusterIP")),
          col("Cluster-IP", "string", 0, "The IP address of the service.",
              (o, now) -> orNone(o.path("spec").path("clusterIP").asString(""))),
          col("External-IP", "string", 0, "The external IP address of the service.",
              (o, now) -> externalIp(o)),
          col("Port(s)", "string", 0, "The ports of the service.", (o, now) -> servicePorts(o)),
          age(),
          col("Selector", "string", 1, "Route service traffic to pods with label keys and values matching this "
              + "selector.", (o, now) -> mapString(o.path("spec").path("selector"))));
      case "Namespace" -> List.of(name(),
          col("Status", "string", 0, "The status of the namespace",
              (o, now) -> o.path("status").path("phase").asString("")),
          age());
      case "Node" -> List.of(name(),
          col("Status", "string", 0, "The status of the node", (o, now) -> nodeStatus(o)),
          col("Roles", "string", 0, "The roles of the node", (o, now) -> nodeRoles(o)),
          age(),
          col("Version", "string", 0, "Kubelet Version reported by the node.",
              (o, now) -> o.path("status").path("nodeInfo").path("kubeletVersion").asString("")),
          col("Internal-IP", "string", 1, "List of internal IPs in the node.", (o, now) -> nodeAddress(o,
              "InternalIP")),
          col("External-IP", "string", 1, "List of external IPs in the node.", (o, now) -> nodeAddress(o,
              "ExternalIP")),
          col("OS-Image", "string", 1, "OS image reported by the node from /etc/os-release (e.g. Debian GNU/Linux "
              + "7 (wheezy)).", (o, now) -> orUnknown(o.path("status").path("nodeInfo").path("osImage")
              .asString(""))),
          col("Kernel-Version", "string", 1, "Kernel Version reported by the node from 'uname -r' (e.g. "
              + "3.16.0-0.bpo.4-amd64).", (o, now) -> orUnknown(o.path("status").path("nodeInfo")
              .path("kernelVersion").asString(""))),
          col("Container-Runtime", "string", 1, "Container runtime version reported by the node through runtime "
              + "remote API (e.g. containerd://1.4.2).", (o, now) -> orUnknown(o.path("status").path("nodeInfo")
              .path("containerRuntimeVersion").asString(""))));
      case "ConfigMap" -> List.of(name(),
          col("Data", "integer", 0, "Data contains the configuration data.",
              (o, now) -> (long) (o.path("data").size() + o.path("binaryData").size())),
          age());
      case "Secret" -> List.of(name(),
          col("Type", "string", 0, "The type of this secret.", (o, now) -> o.path("type").asString("")),
          col("Data", "integer", 0, "Data contains the secret data.", (o, now) -> (long) o.path("data").size()),
          age());
      case "ServiceAccount" -> List.of(name(),
          col("Secrets", "string", 0, "Secrets is the list of secrets allowed to be used by pods running using this "
              + "ServiceAccount.", (o, now) -> Long.toString(o.path("secrets").size())),
          age());
      case "Endpoints" -> List.of(name(),
          col("Endpoints", "string", 0, "Endpoints is the list of endpoints in the service.",
              (o, now) -> endpoints(o)),
          age());
      case "Event" -> List.of(
          col("Last Seen", "string", 0, "Time when this Event was last seen.", (o, now) -> eventLastSeen(o, now)),
          col("Type", "string", 0, "Type of this event (Normal, Warning), new types could be added in the future.",
              (o, now) -> o.path("type").asString("")),
          col("Reason", "string", 0, "Reason is why the action was taken.", (o, now) -> o.path("reason")
              .asString("")),
          col("Object", "string", 0, "The object this Event is about.", (o, now) -> o.path("involvedObject")
              .path("kind").asString("").toLowerCase() + "/" + o.path("involvedObject").path("name").asString("")),
          col("Message", "string", 0, "A human-readable description of the status of this operation.",
              (o, now) -> o.path("message").asString("").trim()),
          col("Name", "string", 1, "Name must be unique within a namespace.",
              (o, now) -> o.path("metadata").path("name").asString("")));
      case "Lease" -> List.of(name(),
          col("Holder", "string", 0, "The holder of the lease.",
              (o, now) -> o.path("spec").path("holderIdentity").asString("")),
          age());
      case "EndpointSlice" -> List.of(name(),
          col("AddressType", "string", 0, "The IP protocol for this slice",
              (o, now) -> o.path("addressType").asString("")),
          col("Ports", "string", 0, "The ports in this slice", (o, now) -> slicePorts(o)),
          col("Endpoints", "string", 0, "The endpoints in this slice", (o, now) -> sliceEndpoints(o)),
          age());
      default -> List.of(name(), age());
    };
  }

  private static TableConvertor.Column containersColumn() {
    return col("Containers", "string", 1, "Names of each container in the template.",
        (o, now) -> String.join(",", TableConvertor.strings(o.path("spec").path("template").path("spec")
            .path("containers"), "name")));
  }

  private static TableConvertor.Column imagesColumn() {
    return col("Images", "string", 1, "Images referenced by each container in the template.",
        (o, now) -> String.join(",", TableConvertor.strings(o.path("spec").path("template").path("spec")
            .path("containers"), "image")));
  }

  private static TableConvertor.Column selectorColumn() {
    return col("Selector", "string", 1, "Label selector for pods.", (o, now) -> {
      JsonNode selector = o.path("spec").path("selector");
      return selector.isObject() ? orNone(LabelSelector.fromObject(selector).toString()) : "<none>";
    });
  }

  static String orNone(String value) {
    return value == null || value.isEmpty() ? "<none>" : value;
  }

  static String orUnknown(String value) {
    return value == null || value.isEmpty() ? "<unknown>" : value;
  }

  static String podReady(ObjectNode pod) {
    int total = pod.path("spec").path("containers").size();
    int ready = 0;
    for (JsonNode status : pod.path("status").path("containerStatuses")) {
      if (status.path("ready").asBoolean(false)) {
        ready++;
      }
    }
    return ready + "/" + total;
  }

  static long restarts(ObjectNode pod) {
    long restarts = 0;
    for (JsonNode status : pod.path("status").path("containerStatuses")) {
      restarts += status.path("restartCount").asLong(0);
    }
    return restarts;
  }

  /** kubectl's pod STATUS: the reason of a waiting or terminated container, init progress, or Terminating. */
  static String podStatus(ObjectNode pod) {
    JsonNode status = pod.path("status");
    String reason = status.path("phase").asString("");
    if (!status.path("reason").asString("").isEmpty()) {
      reason = status.path("reason").asString();
    }
    boolean initializing = false;
    JsonNode initStatuses = status.path("initContainerStatuses");
    int initCount = pod.path("spec").path("initContainers").size();
    for (int i = 0; i < initStatuses.size(); i++) {
      JsonNode state = initStatuses.get(i).path("state");
      JsonNode terminated = state.path("terminated");
      if (terminated.isObject() && terminated.path("exitCode").asInt(0) == 0) {
        continue;
      }
      if (terminated.isObject()) {
        String terminatedReason = terminated.path("reason").asString("");
        reason = terminatedReason.isEmpty() ? "Init:ExitCode:" + terminated.path("exitCode").asInt()
            : "Init:" + terminatedReason;
      } else if (!state.path("waiting").path("reason").asString("").isEmpty()
          && !state.path("waiting").path("reason").asString().equals("PodInitializing")) {
        reason = "Init:" + state.path("waiting").path("reason").asString();
      } else {
        reason = "Init:" + i + "/" + initCount;
      }
      initializing = true;
      break;
    }
    if (!initializing) {
      boolean hasRunning = false;
      JsonNode statuses = status.path("containerStatuses");
      for (int i = statuses.size() - 1; i >= 0; i--) {
        JsonNode container = statuses.get(i);
        JsonNode state = container.path("state");
        String waiting = state.path("waiting").path("reason").asString("");
        JsonNode terminated = state.path("terminated");
        if (!waiting.isEmpty()) {
          reason = waiting;
        } else if (terminated.isObject()) {
          String terminatedReason = terminated.path("reason").asString("");
          if (!terminatedReason.isEmpty()) {
            reason = terminatedReason;
          } else if (terminated.has("signal") && terminated.path("signal").asInt(0) != 0) {
            reason = "Signal:" + terminated.path("signal").asInt();
          } else {
            reason = "ExitCode:" + terminated.path("exitCode").asInt(0);
          }
        } else if (container.path("ready").asBoolean(false) && state.has("running")) {
          hasRunning = true;
        }
      }
      if (reason.equals("Completed") && hasRunning) {
        reason = "Running";
      }
    }
    if (pod.path("metadata").has("deletionTimestamp") && !"NodeLost".equals(status.path("reason").asString(""))) {
      reason = "Terminating";
    }
    return reason;
  }

  private static String readinessGates(ObjectNode pod) {
    JsonNode gates = pod.path("spec").path("readinessGates");
    if (gates.isEmpty()) {
      return "<none>";
    }
    int ready = 0;
    for (JsonNode gate : gates) {
      String type = gate.path("conditionType").asString("");
      for (JsonNode condition : pod.path("status").path("conditions")) {
        if (condition.path("type").asString("").equals(type) && condition.path("status").asString("")
            .equals("True")) {
          ready++;
        }
      }
    }
    return ready + "/" + gates.size();
  }

  private static String externalIp(ObjectNode service) {
    JsonNode spec = service.path("spec");
    String type = spec.path("type").asString("ClusterIP");
    List<String> ips = TableConvertor.strings(spec.path("externalIPs"), null);
    switch (type) {
      case "ClusterIP", "NodePort":
        return ips.isEmpty() ? "<none>" : String.join(",", ips);
      case "LoadBalancer": {
        List<String> all = new ArrayList<>();
        for (JsonNode ingress : service.path("status").path("loadBalancer").path("ingress")) {
          all.add(ingress.has("ip") ? ingress.path("ip").asString("") : ingress.path("hostname").asString(""));
        }
        all.addAll(ips);
        return all.isEmpty() ? "<pending>" : String.join(",", all);
      }
      case "ExternalName":
        return spec.path("externalName").asString("");
      default:
        return "<unknown>";
    }
  }

  private static String servicePorts(ObjectNode service) {
    List<String> ports = new ArrayList<>();
    for (JsonNode port : service.path("spec").path("ports")) {
      String text = port.path("port").asLong(0) + "";
      if (port.path("nodePort").asLong(0) != 0) {
        text += ":" + port.path("nodePort").asLong();
      }
      ports.add(text + "/" + port.path("protocol").asString("TCP"));
    }
    return ports.isEmpty() ? "<none>" : String.join(",", ports);
  }

  private static String mapString(JsonNode map) {
    if (!map.isObject() || map.isEmpty()) {
      return "<none>";
    }
    TreeMap<String, String> sorted = new TreeMap<>();
    for (Map.Entry<String, JsonNode> entry : map.properties()) {
      sorted.put(entry.getKey(), entry.getValue().asString(""));
    }
    List<String> pairs = new ArrayList<>();
    sorted.forEach((k, v) -> pairs.add(k + "=" + v));
    return String.join(",", pairs);
  }

  private static String nodeStatus(ObjectNode node) {
    String status = "Unknown";
    for (JsonNode condition : node.path("status").path("conditions")) {
      if (condition.path("type").asString("").equals("Ready")) {
        status = condition.path("status").asString("").equals("True") ? "Ready" : "NotReady";
      }
    }
    if (node.path("spec").path("unschedulable").asBoolean(false)) {
      status += ",SchedulingDisabled";
    }
    return status;
  }

  private static String nodeRoles(ObjectNode node) {
    List<String> roles = new ArrayList<>();
    for (String label : node.path("metadata").path("labels").propertyNames()) {
      if (label.startsWith("node-role.kubernetes.io/")) {
        String role = label.substring("node-role.kubernetes.io/".length());
        if (!role.isEmpty()) {
          roles.add(role);
        }
      } else if (label.equals("kubernetes.io/role")) {
        roles.add(node.path("metadata").path("labels").path(label).asString(""));
      }
    }
    java.util.Collections.sort(roles);
    return roles.isEmpty() ? "<none>" : String.join(",", roles);
  }

  private static String nodeAddress(ObjectNode node, String type) {
    List<String> addresses = new ArrayList<>();
    for (JsonNode address : node.path("status").path("addresses")) {
      if (address.path("type").asString("").equals(type)) {
        addresses.add(address.path("address").asString(""));
      }
    }
    return addresses.isEmpty() ? "<none>" : String.join(",", addresses);
  }

  private static String endpoints(ObjectNode endpoints) {
    List<String> all = new ArrayList<>();
    for (JsonNode subset : endpoints.path("subsets")) {
      for (JsonNode address : subset.path("addresses")) {
        if (subset.path("ports").isEmpty()) {
          all.add(address.path("ip").asString(""));
        }
        for (JsonNode port : subset.path("ports")) {
          all.add(address.path("ip").asString("") + ":" + port.path("port").asLong(0));
        }
      }
    }
    return formatList(all);
  }

  private static String formatList(List<String> all) {
    if (all.isEmpty()) {
      return "<none>";
    }
    if (all.size() > 3) {
      return String.join(",", all.subList(0, 3)) + " + " + (all.size() - 3) + " more...";
    }
    return String.join(",", all);
  }

  private static String slicePorts(ObjectNode slice) {
    List<String> ports = new ArrayList<>();
    for (JsonNode port : slice.path("ports")) {
      ports.add(Long.toString(port.path("port").asLong(0)));
    }
    return ports.isEmpty() ? "<unset>" : String.join(",", ports);
  }

  private static String sliceEndpoints(ObjectNode slice) {
    List<String> all = new ArrayList<>();
    for (JsonNode endpoint : slice.path("endpoints")) {
      all.addAll(TableConvertor.strings(endpoint.path("addresses"), null));
    }
    return all.isEmpty() ? "<unset>" : formatList(all);
  }

  private static String eventLastSeen(ObjectNode event, Instant now) {
    String last = event.path("lastTimestamp").asString("");
    if (last.isEmpty()) {
      last = event.path("eventTime").asString("");
    }
    if (last.isEmpty()) {
      last = event.path("metadata").path("creationTimestamp").asString("");
    }
    return Durations.since(Timestamps.parse(last), now);
  }
}
