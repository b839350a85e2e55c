package dev.tugboat.control.apiserver.resources.kinds;

import dev.tugboat.control.apiserver.resources.Codec;
import dev.tugboat.control.apiserver.resources.DeleteOptions;
import dev.tugboat.control.apiserver.resources.GracefulDeletion;
import dev.tugboat.control.apiserver.resources.ResourceStrategy;
import dev.tugboat.control.apiserver.resources.Tree;
import dev.tugboat.control.apiserver.resources.validation.FieldError;
import dev.tugboat.control.apiserver.resources.validation.PodSpecValidation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Pods: spec defaults and validation, a spec that is immutable but for images, activeDeadlineSeconds and new
 * tolerations, and graceful deletion (a pod bound to a node stays, marked, until its node agent confirms).
 */
public final class PodStrategy extends ResourceStrategy implements GracefulDeletion {

  static final String IMMUTABLE_SPEC = "pod updates may not change fields other than `spec.containers[*].image`,"
      + "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to "
      + "existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously "
      + "negative)";

  @Override
  public boolean hasStatus() {
    return true;
  }

  @Override
  public boolean tracksGeneration() {
    return true;
  }

  @Override
  public void prepareForCreate(ObjectNode pod) {
    pod.remove("status");
    pod.putObject("status").put("phase", "Pending");
  }

  @Override
  public void applyDefaults(ObjectNode pod) {
    ObjectNode spec = Tree.object(pod, "spec");
    PodDefaults.applyToSpec(spec, true);
    JsonNode status = pod.path("status");
    if (status.isObject() && !status.has("qosClass")) {
      ((ObjectNode) status).put("qosClass", PodDefaults.qosClass(spec));
    }
  }

  @Override
  public List<FieldError> validate(ObjectNode pod) {
    return PodSpecValidation.validate(pod.path("spec"), "spec");
  }

  @Override
  public List<FieldError> validateUpdate(ObjectNode pod, ObjectNode old) {
    List<FieldError> errors = new ArrayList<>(validate(pod));
    ObjectNode allowed = old.path("spec").isObject() ? (ObjectNode) old.get("spec").deepCopy() : Codec.NODES.objectNode();
    JsonNode spec = pod.path("spec");
    for (String list : new String[] {"containers", "initContainers"}) {
      JsonNode newContainers = spec.path(list);
      JsonNode oldContainers = allowed.path(list);
      if (newContainers.size() == oldContainers.size()) {
        for (int i = 0; i < oldContainers.size(); i++) {
          JsonNode image = newContainers.get(i).get("image");
          if (image != null && oldContainers.get(i).isObject()) {
            ((ObjectNode) oldContainers.get(i)).set("image", image);
          }
        }
      }
    }
    copy(spec, allowed, "activeDeadlineSeconds");
    if (tolerationsOnlyAdded(old.path("spec").path("tolerations"), spec.path("tolerations"))) {
      copy(spec, allowed, "tolerations");
    }
    JsonNode oldGrace = old.path("spec").path("terminationGracePeriodSeconds");
    if (oldGrace.isNumber() && oldGrace.asLong() < 0) {
      copy(spec, allowed, "terminationGracePeriodSeconds");
    }
    if (!allowed.equals(spec)) {
      errors.add(FieldError.forbidden("spec", IMMUTABLE_SPEC));
    }
    return errors;
  }

  private static void copy(JsonNode from, ObjectNode to, String field) {
    JsonNode value = from.get(field);
    if (value == null) {
      to.remove(field);
    } else {
      to.set(field, value);
    }
  }

  private static boolean tolerationsOnlyAdded(JsonNode before, JsonNode after) {
    List<JsonNode> remaining = new ArrayList<>();
    after.forEach(remaining::add);
    for (JsonNode toleration : before) {
      if (!remaining.remove(toleration)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public List<FieldError> validateStatusUpdate(ObjectNode pod, ObjectNode old) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode phase = pod.path("status").path("phase");
    List<String> phases = List.of("Failed", "Pending", "Running", "Succeeded", "Unknown");
    if (phase.isString() && !phases.contains(phase.asString())) {
      errors.add(FieldError.notSupported("status.phase", phase.asString(), phases));
    }
    String oldPhase = old.path("status").path("phase").asString("");
    if ((oldPhase.equals("Succeeded") || oldPhase.equals("Failed")) && phase.isString()
        && !phase.asString().equals(oldPhase)) {
      errors.add(FieldError.forbidden("status.phase", "cannot transition from terminated phase " + oldPhase));
    }
    return errors;
  }

  @Override
  protected Map<String, String> extraFields(ObjectNode pod) {
    Map<String, String> fields = new LinkedHashMap<>();
    JsonNode spec = pod.path("spec");
    JsonNode status = pod.path("status");
    fields.put("spec.nodeName", spec.path("nodeName").asString(""));
    fields.put("spec.restartPolicy", spec.path("restartPolicy").asString(""));
    fields.put("spec.schedulerName", spec.path("schedulerName").asString(""));
    fields.put("spec.serviceAccountName", spec.path("serviceAccountName").asString(""));
    fields.put("spec.hostNetwork", Boolean.toString(spec.path("hostNetwork").asBoolean(false)));
    fields.put("status.phase", status.path("phase").asString(""));
    fields.put("status.podIP", status.path("podIP").asString(""));
    fields.put("status.nominatedNodeName", status.path("nominatedNodeName").asString(""));
    List<String> ips = new ArrayList<>();
    status.path("podIPs").forEach(ip -> ips.add(ip.path("ip").asString("")));
    fields.put("status.podIPs", String.join(",", ips));
    return fields;
  }

  @Override
  protected Set<String> extraFieldNames() {
    return Set.of("spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
        "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs", "status.nominatedNodeName");
  }

  /** An unscheduled or finished pod goes at once; a pod on a node waits for its node agent (grace 0 delete). */
  @Override
  public Long gracePeriod(ObjectNode pod, DeleteOptions options) {
    if (pod.path("spec").path("nodeName").asString("").isEmpty()) {
      return 0L;
    }
    String phase = pod.path("status").path("phase").asString("");
    if (phase.equals("Succeeded") || phase.equals("Failed")) {
      return 0L;
    }
    if (options.gracePeriodSeconds() != null) {
      return options.gracePeriodSeconds();
    }
    JsonNode grace = pod.path("spec").path("terminationGracePeriodSeconds");
    return grace.isNumber() ? Math.max(grace.asLong(), 1) : 30L;
  }

  @Override
  public boolean deleteWhenFinalized(ObjectNode pod) {
    return pod.path("metadata").path("deletionGracePeriodSeconds").asLong(0) == 0;
  }

  /** Binding: the scheduler's assignment of a pod to a node, with its PodScheduled condition. */
  public static void bind(ObjectNode pod, String nodeName, String now) {
    Tree.object(pod, "spec").put("nodeName", nodeName);
    ObjectNode status = Tree.object(pod, "status");
    ArrayNode conditions = status.path("conditions").isArray() ? (ArrayNode) status.get("conditions")
        : status.putArray("conditions");
    for (int i = conditions.size() - 1; i >= 0; i--) {
      if ("PodScheduled".equals(conditions.get(i).path("type").asString(""))) {
        conditions.remove(i);
      }
    }
    ObjectNode condition = conditions.addObject();
    condition.put("type", "PodScheduled");
    condition.put("status", "True");
    condition.putNull("lastProbeTime");
    condition.put("lastTransitionTime", now);
  }
}
