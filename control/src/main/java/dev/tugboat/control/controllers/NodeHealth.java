package dev.tugboat.control.controllers;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * kube-controller-manager's node health rule as plain functions: a node is heard from when its Lease's renewTime
 * or its Ready condition's lastHeartbeatTime changes, as this controller observes it (its own clock, so clocks
 * that disagree do not matter); once nothing changed for the grace period, its Ready, MemoryPressure, DiskPressure
 * and PIDPressure conditions become Unknown, and the Ready condition of its pods False.
 */
public final class NodeHealth {

  static final List<String> CONDITION_TYPES = List.of("Ready", "MemoryPressure", "DiskPressure", "PIDPressure");
  static final String STOPPED_POSTING = "Kubelet stopped posting node status.";
  static final String NEVER_POSTED = "Kubelet never posted node status.";

  private NodeHealth() {}

  /** What this controller last saw of a node's heartbeat, and when it first saw it. */
  public record Observation(String heartbeat, Instant observedAt) {}

  /** The node's heartbeat as a value that changes whenever either the Lease or the Ready condition is renewed. */
  static String heartbeat(JsonNode node, JsonNode lease) {
    String renew = lease == null ? "" : lease.path("spec").path("renewTime").asString("");
    return renew + "|" + readyCondition(node).path("lastHeartbeatTime").asString("");
  }

  /** The observation after looking at the node now: a new heartbeat is observed now, the same one keeps its time. */
  static Observation observe(Observation previous, String heartbeat, Instant now) {
    return previous != null && previous.heartbeat().equals(heartbeat) ? previous : new Observation(heartbeat, now);
  }

  static boolean expired(Observation observation, Instant now, Duration grace) {
    return now.isAfter(observation.observedAt().plus(grace));
  }

  /**
   * The status patch that marks the node's conditions Unknown, or null when they already are. Heartbeat times are
   * kept; transition times become {@code now}.
   */
  static ObjectNode unknownStatus(JsonNode node, String now) {
    JsonNode ready = readyCondition(node);
    if (ready.path("status").asString("").equals("Unknown")) return null;
    boolean posted = !ready.isMissingNode();
    ObjectNode patch = JsonMapper.shared().createObjectNode();
    ArrayNode conditions = patch.putObject("status").putArray("conditions");
    for (String type : CONDITION_TYPES) {
      JsonNode existing = condition(node, type);
      ObjectNode condition = conditions.addObject();
      condition.put("type", type);
      condition.put("status", "Unknown");
      condition.put("lastHeartbeatTime", existing.path("lastHeartbeatTime").asString(now));
      condition.put("lastTransitionTime", now);
      condition.put("reason", posted ? "NodeStatusUnknown" : "NodeStatusNeverUpdated");
      condition.put("message", posted ? STOPPED_POSTING : NEVER_POSTED);
    }
    // Other conditions the node reported stay as they were (a merge patch replaces the whole list).
    for (JsonNode existing : node.path("status").path("conditions")) {
      if (!CONDITION_TYPES.contains(existing.path("type").asString(""))) conditions.add(existing.deepCopy());
    }
    return patch;
  }

  /** The status patch that makes a pod's Ready condition False, or null when it is not True. */
  static ObjectNode podNotReady(JsonNode pod, String now) {
    JsonNode conditions = pod.path("status").path("conditions");
    boolean ready = false;
    for (JsonNode c : conditions) {
      if (c.path("type").asString("").equals("Ready") && c.path("status").asString("").equals("True")) ready = true;
    }
    if (!ready) return null;
    ObjectNode patch = JsonMapper.shared().createObjectNode();
    ArrayNode changed = patch.putObject("status").putArray("conditions");
    for (JsonNode c : conditions) {
      ObjectNode copy = (ObjectNode) c.deepCopy();
      if (c.path("type").asString("").equals("Ready")) {
        copy.put("status", "False");
        copy.put("lastTransitionTime", now);
        copy.put("reason", "NodeNotReady");
        copy.put("message", "The node was not ready");
      }
      changed.add(copy);
    }
    return patch;
  }

  static JsonNode readyCondition(JsonNode node) {
    return condition(node, "Ready");
  }

  private static JsonNode condition(JsonNode node, String type) {
    for (JsonNode c : node.path("status").path("conditions")) {
      if (c.path("type").asString("").equals(type)) return c;
    }
    return tools.jackson.databind.node.MissingNode.getInstance();
  }
}
