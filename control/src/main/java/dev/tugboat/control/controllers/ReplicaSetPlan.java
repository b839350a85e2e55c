package dev.tugboat.control.controllers;

import dev.tugboat.control.apiserver.resources.Timestamps;
import dev.tugboat.control.apiserver.resources.selection.LabelSelector;
import dev.tugboat.control.apiserver.resources.selection.Selection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One sync of one ReplicaSet, as kube-controller-manager's ReplicaSet controller does it, as a plain function of the
 * ReplicaSet and the pods of its namespace: adopt the orphans its selector matches, release the pods it owns that no
 * longer match, create or delete pods to reach {@code spec.replicas} (deleting first the pods that matter least:
 * unscheduled, pending, not ready, restarted most, newest), and the status those pods give it.
 */
public record ReplicaSetPlan(List<ObjectNode> creates, List<JsonNode> deletes, List<JsonNode> adoptions,
    List<JsonNode> releases, ObjectNode status) {

  /** kube-controller-manager's burstReplicas: at most this many creates or deletes in one sync. */
  static final int BURST = 500;
  private static final JsonMapper JSON = JsonMapper.shared();

  public static ReplicaSetPlan of(JsonNode replicaSet, List<JsonNode> podsOfNamespace, Instant now) {
    String uid = replicaSet.path("metadata").path("uid").asString("");
    boolean deleting = replicaSet.path("metadata").has("deletionTimestamp");
    LabelSelector selector = LabelSelector.fromObject(replicaSet.path("spec").path("selector"));
    List<JsonNode> owned = new ArrayList<>();
    List<JsonNode> adoptions = new ArrayList<>();
    List<JsonNode> releases = new ArrayList<>();
    for (JsonNode pod : podsOfNamespace) {
      String controller = controllerUid(pod);
      boolean matches = !selector.isEverything() && selector.matches(Selection.labelsOf(pod));
      if (uid.equals(controller)) {
        if (matches) {
          owned.add(pod);
        } else {
          releases.add(pod);
        }
      } else if (controller == null && matches && !deleting && !pod.path("metadata").has("deletionTimestamp")) {
        adoptions.add(pod);
        owned.add(pod);
      }
    }
    List<JsonNode> active = owned.stream().filter(ReplicaSetPlan::isActive).toList();
    List<ObjectNode> creates = new ArrayList<>();
    List<JsonNode> deletes = new ArrayList<>();
    if (!deleting) {
      int diff = active.size() - replicas(replicaSet);
      if (diff < 0) {
        for (int i = 0; i < Math.min(-diff, BURST); i++) {
          creates.add(pod(replicaSet));
        }
      } else if (diff > 0) {
        deletes.addAll(active.stream().sorted(DELETE_FIRST).limit(Math.min(diff, BURST)).toList());
      }
    }
    return new ReplicaSetPlan(creates, deletes, adoptions, releases, status(replicaSet, active, now));
  }

  static int replicas(JsonNode replicaSet) {
    JsonNode replicas = replicaSet.path("spec").path("replicas");
    return replicas.isNumber() ? replicas.asInt() : 1;
  }

  /** The uid of the owner reference marked controller, or null. */
  static String controllerUid(JsonNode object) {
    for (JsonNode ref : object.path("metadata").path("ownerReferences")) {
      if (ref.path("controller").asBoolean(false)) {
        return ref.path("uid").asString("");
      }
    }
    return null;
  }

  /** Counted as a replica: not finished and not on its way out. */
  static boolean isActive(JsonNode pod) {
    String phase = pod.path("status").path("phase").asString("");
    return !phase.equals("Succeeded") && !phase.equals("Failed") && !pod.path("metadata").has("deletionTimestamp");
  }

  /** A new pod from the template, owned by the ReplicaSet (its name made by the API server from generateName). */
  static ObjectNode pod(JsonNode replicaSet) {
    JsonNode meta = replicaSet.path("metadata");
    JsonNode template = replicaSet.path("spec").path("template");
    ObjectNode pod = JSON.createObjectNode();
    pod.put("apiVersion", "v1").put("kind", "Pod");
    ObjectNode podMeta = pod.putObject("metadata");
    podMeta.put("generateName", meta.path("name").asString("") + "-");
    podMeta.put("namespace", meta.path("namespace").asString(""));
    for (String field : List.of("labels", "annotations")) {
      JsonNode value = template.path("metadata").path(field);
      if (value.isObject()) podMeta.set(field, value.deepCopy());
    }
    podMeta.putArray("ownerReferences").add(ownerReference(replicaSet));
    pod.set("spec", template.path("spec").deepCopy());
    return pod;
  }

  static ObjectNode ownerReference(JsonNode replicaSet) {
    ObjectNode ref = JSON.createObjectNode();
    ref.put("apiVersion", "apps/v1").put("kind", "ReplicaSet")
        .put("name", replicaSet.path("metadata").path("name").asString(""))
        .put("uid", replicaSet.path("metadata").path("uid").asString("")).put("controller", true)
        .put("blockOwnerDeletion", true);
    return ref;
  }

  /** The pod's ownerReferences with the ReplicaSet's added (adopt) or removed (release). */
  static ArrayNode ownerReferences(JsonNode pod, JsonNode replicaSet, boolean adopt) {
    String uid = replicaSet.path("metadata").path("uid").asString("");
    ArrayNode refs = JSON.createArrayNode();
    for (JsonNode ref : pod.path("metadata").path("ownerReferences")) {
      if (!ref.path("uid").asString("").equals(uid)) refs.add(ref.deepCopy());
    }
    if (adopt) refs.add(ownerReference(replicaSet));
    return refs;
  }

  /** kubelet-visible rank, lowest deleted first: unscheduled, then by phase, readiness, restarts, youth. */
  static final Comparator<JsonNode> DELETE_FIRST = Comparator
      .comparing((JsonNode p) -> !p.path("spec").path("nodeName").asString("").isEmpty())
      .thenComparingInt(p -> switch (p.path("status").path("phase").asString("Pending")) {
        case "Pending" -> 0;
        case "Unknown" -> 1;
        default -> 2;
      })
      .thenComparing(p -> readySince(p) != null)
      .thenComparing((JsonNode p) -> readySince(p), Comparator.nullsFirst(Comparator.reverseOrder()))
      .thenComparing((JsonNode p) -> -restarts(p))
      .thenComparing((JsonNode p) -> created(p), Comparator.reverseOrder());

  private static Instant readySince(JsonNode pod) {
    for (JsonNode condition : pod.path("status").path("conditions")) {
      if (condition.path("type").asString("").equals("Ready") && condition.path("status").asString("").equals("True")) {
        String time = condition.path("lastTransitionTime").asString("");
        return time.isEmpty() ? Instant.EPOCH : Timestamps.parse(time);
      }
    }
    return null;
  }

  private static int restarts(JsonNode pod) {
    int sum = 0;
    for (JsonNode status : pod.path("status").path("containerStatuses")) {
      sum += status.path("restartCount").asInt(0);
    }
    return sum;
  }

  private static Instant created(JsonNode pod) {
    String time = pod.path("metadata").path("creationTimestamp").asString("");
    return time.isEmpty() ? Instant.EPOCH : Timestamps.parse(time);
  }

  /** replicas, fullyLabeledReplicas, readyReplicas, availableReplicas (ready minReadySeconds), observedGeneration. */
  static ObjectNode status(JsonNode replicaSet, List<JsonNode> active, Instant now) {
    Map<String, String> templateLabels = Selection.labelsOf(replicaSet.path("spec").path("template"));
    Duration minReady = Duration.ofSeconds(replicaSet.path("spec").path("minReadySeconds").asLong(0));
    int fullyLabeled = 0;
    int ready = 0;
    int available = 0;
    for (JsonNode pod : active) {
      if (Selection.labelsOf(pod).entrySet().containsAll(templateLabels.entrySet())) fullyLabeled++;
      Instant since = readySince(pod);
      if (since != null) {
        ready++;
        if (minReady.isZero() || !since.plus(minReady).isAfter(now)) available++;
      }
    }
    ObjectNode status = JSON.createObjectNode();
    status.put("replicas", active.size()).put("fullyLabeledReplicas", fullyLabeled).put("readyReplicas", ready)
        .put("availableReplicas", available)
        .put("observedGeneration", replicaSet.path("metadata").path("generation").asLong(0));
    return status;
  }
}
