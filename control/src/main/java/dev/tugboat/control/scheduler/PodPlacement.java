package dev.tugboat.control.scheduler;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * Where a pod goes, as kube-scheduler's default profile decides it for the rules Tugboat's nodes use: a node must be
 * Ready, schedulable, carry the pod's nodeSelector labels, have every NoSchedule/NoExecute taint tolerated and room
 * for one more pod; among those the node running the fewest pods wins (then the first by name). A plain function.
 */
public final class PodPlacement {

  /** The chosen node, or why there is none, in kube-scheduler's words ("0/2 nodes are available: ..."). */
  public record Decision(String nodeName, String unschedulableMessage) {
    public boolean scheduled() {
      return nodeName != null;
    }
  }

  private PodPlacement() {}

  /**
   * @param nodes       the Node objects
   * @param podsPerNode how many pods each node already runs (absent: none)
   */
  public static Decision place(JsonNode pod, List<JsonNode> nodes, Map<String, Integer> podsPerNode) {
    Map<String, Integer> reasons = new TreeMap<>();
    List<JsonNode> feasible = new ArrayList<>();
    for (JsonNode node : nodes) {
      String reason = unfit(pod, node, podsPerNode.getOrDefault(name(node), 0));
      if (reason == null) {
        feasible.add(node);
      } else {
        reasons.merge(reason, 1, Integer::sum);
      }
    }
    if (feasible.isEmpty()) {
      StringBuilder message = new StringBuilder("0/" + nodes.size() + " nodes are available");
      if (reasons.isEmpty()) {
        message.append(": no nodes registered");
      } else {
        String separator = ": ";
        for (Map.Entry<String, Integer> reason : reasons.entrySet()) {
          message.append(separator).append(reason.getValue()).append(' ').append(reason.getKey());
          separator = ", ";
        }
      }
      return new Decision(null, message.append('.').toString());
    }
    JsonNode best = feasible.stream()
        .min(Comparator.<JsonNode>comparingInt(n -> podsPerNode.getOrDefault(name(n), 0))
            .thenComparing(PodPlacement::name))
        .orElseThrow();
    return new Decision(name(best), null);
  }

  /** Why the node cannot take the pod (kube-scheduler's phrase for the filter that failed), or null if it can. */
  static String unfit(JsonNode pod, JsonNode node, int podsOnNode) {
    if (!ready(node)) return "node(s) were not ready";
    if (node.path("spec").path("unschedulable").asBoolean(false)) return "node(s) were unschedulable";
    JsonNode selector = pod.path("spec").path("nodeSelector");
    JsonNode labels = node.path("metadata").path("labels");
    for (Map.Entry<String, JsonNode> term : selector.properties()) {
      if (!labels.path(term.getKey()).isString()
          || !labels.path(term.getKey()).asString().equals(term.getValue().asString(""))) {
        return "node(s) didn't match Pod's node affinity/selector";
      }
    }
    for (JsonNode taint : node.path("spec").path("taints")) {
      String effect = taint.path("effect").asString("");
      if ((effect.equals("NoSchedule") || effect.equals("NoExecute")) && !tolerated(taint, pod)) {
        return "node(s) had untolerated taint {" + taint.path("key").asString("") + ": "
            + taint.path("value").asString("") + "}";
      }
    }
    JsonNode allocatablePods = node.path("status").path("allocatable").path("pods");
    if (allocatablePods.isString() && allocatablePods.asString().matches("\\d+")
        && podsOnNode >= Integer.parseInt(allocatablePods.asString())) {
      return "Too many pods";
    }
    return null;
  }

  static boolean ready(JsonNode node) {
    for (JsonNode condition : node.path("status").path("conditions")) {
      if (condition.path("type").asString("").equals("Ready")) {
        return condition.path("status").asString("").equals("True");
      }
    }
    return false;
  }

  /** Kubernetes' ToleratesTaint: same key (or an empty key with Exists), same effect (or any), value per operator. */
  static boolean tolerated(JsonNode taint, JsonNode pod) {
    for (JsonNode toleration : pod.path("spec").path("tolerations")) {
      String effect = toleration.path("effect").asString("");
      if (!effect.isEmpty() && !effect.equals(taint.path("effect").asString(""))) continue;
      String key = toleration.path("key").asString("");
      String operator = toleration.path("operator").asString("Equal");
      if (key.isEmpty()) {
        if (operator.equals("Exists")) return true;
        continue;
      }
      if (!key.equals(taint.path("key").asString(""))) continue;
      if (operator.equals("Exists")) return true;
      if (toleration.path("value").asString("").equals(taint.path("value").asString(""))) return true;
    }
    return false;
  }

  private static String name(JsonNode node) {
    return node.path("metadata").path("name").asString("");
  }
}
