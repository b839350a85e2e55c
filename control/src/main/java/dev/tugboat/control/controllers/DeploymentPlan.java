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
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One step of one Deployment, as kube-controller-manager's Deployment controller takes it, as a plain function of the
 * Deployment and the ReplicaSets of its namespace: adopt matching orphans; make the ReplicaSet of the current pod
 * template (named by the template's hash, revision one past the newest) if there is none; then move replicas from the
 * old ReplicaSets to the new one, within maxSurge and maxUnavailable (RollingUpdate) or all old first
 * (Recreate); once complete, delete old ReplicaSets beyond revisionHistoryLimit; and the status kubectl rollout
 * status reads. A step at a time: each change's event brings the next sync.
 */
public record DeploymentPlan(List<JsonNode> adoptions, ObjectNode create, List<Scale> scales, List<JsonNode> deletes,
    String revision, ObjectNode status) {

  static final String HASH_LABEL = "pod-template-hash";
  static final String REVISION = "deployment.kubernetes.io/revision";
  static final String DESIRED = "deployment.kubernetes.io/desired-replicas";
  static final String MAX = "deployment.kubernetes.io/max-replicas";
  private static final JsonMapper JSON = JsonMapper.shared();
  /** kube's SafeEncodeString alphabet: no vowels, no look-alikes, so a hash never spells a word. */
  private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

  /** A ReplicaSet's replicas set to {@code replicas}, with the Deployment's annotations. */
  public record Scale(JsonNode replicaSet, int replicas, Map<String, String> annotations) {}

  public static DeploymentPlan of(JsonNode deployment, List<JsonNode> replicaSetsOfNamespace, Instant now) {
    JsonNode meta = deployment.path("metadata");
    JsonNode spec = deployment.path("spec");
    String uid = meta.path("uid").asString("");
    LabelSelector selector = LabelSelector.fromObject(spec.path("selector"));
    boolean deleting = meta.has("deletionTimestamp");
    List<JsonNode> owned = new ArrayList<>();
    List<JsonNode> adoptions = new ArrayList<>();
    for (JsonNode rs : replicaSetsOfNamespace) {
      String controller = ReplicaSetPlan.controllerUid(rs);
      boolean matches = !selector.isEverything() && selector.matches(Selection.labelsOf(rs));
      if (uid.equals(controller)) {
        owned.add(rs);
      } else if (controller == null && matches && !deleting && !rs.path("metadata").has("deletionTimestamp")) {
        adoptions.add(rs);
        owned.add(rs);
      }
    }
    int desired = replicas(deployment);
    int surge = resolve(spec.path("strategy").path("rollingUpdate").path("maxSurge"), desired, true);
    int unavailable = resolve(spec.path("strategy").path("rollingUpdate").path("maxUnavailable"), desired, false);
    if (surge == 0 && unavailable == 0) unavailable = 1;
    boolean recreate = spec.path("strategy").path("type").asString("RollingUpdate").equals("Recreate");
    if (recreate) {
      surge = 0;
      unavailable = desired;
    }
    int collisions = collisionCount(deployment);
    JsonNode current = null;
    List<JsonNode> old = new ArrayList<>();
    for (JsonNode rs : owned) {
      if (current == null && sameTemplate(rs, spec.path("template"))) {
        current = rs;
      } else {
        old.add(rs);
      }
    }
    int maxRevision = owned.stream().mapToInt(DeploymentPlan::revision).max().orElse(0);
    List<Scale> scales = new ArrayList<>();
    List<JsonNode> deletes = new ArrayList<>();
    ObjectNode create = null;
    Map<String, String> annotations = Map.of(DESIRED, Integer.toString(desired),
        MAX, Integer.toString(desired + surge));
    if (deleting) {
      // the garbage collector takes it from here
    } else if (current == null) {
      if (!spec.path("paused").asBoolean(false)) {
        int replicas = recreate
            ? (old.stream().allMatch(rs -> specReplicas(rs) == 0 && statusReplicas(rs) == 0) ? desired : 0)
            : Math.max(0, Math.min(desired, desired + surge - sum(old, DeploymentPlan::specReplicas)));
        ObjectNode candidate = replicaSet(deployment, maxRevision + 1, replicas, annotations);
        if (nameTaken(candidate, replicaSetsOfNamespace)) {
          // as Kubernetes does: another template's ReplicaSet holds the name, so the next hash takes the count in
          collisions++;
        } else {
          create = candidate;
        }
      }
    } else if (revision(current) < maxRevision || !annotations.equals(deploymentAnnotations(current))) {
      // a rollback to an older template makes its ReplicaSet the newest revision again
      scales.add(new Scale(current, specReplicas(current), withRevision(annotations,
          revision(current) < maxRevision ? maxRevision + 1 : revision(current))));
    } else if (spec.path("paused").asBoolean(false)) {
      if (old.stream().allMatch(rs -> specReplicas(rs) == 0) && specReplicas(current) != desired) {
        scales.add(new Scale(current, desired, withRevision(annotations, revision(current))));
      }
    } else if (recreate) {
      List<JsonNode> running = old.stream().filter(rs -> specReplicas(rs) > 0).toList();
      if (!running.isEmpty()) {
        running.forEach(rs -> scales.add(new Scale(rs, 0, deploymentAnnotations(rs))));
      } else if (old.stream().allMatch(rs -> statusReplicas(rs) == 0) && specReplicas(current) != desired) {
        scales.add(new Scale(current, desired, withRevision(annotations, revision(current))));
      }
    } else {
      rollingStep(current, old, desired, surge, unavailable, annotations, scales);
    }
    if (!deleting && create == null && scales.isEmpty() && current != null && complete(current, old, desired)) {
      deletes.addAll(history(old, spec.path("revisionHistoryLimit").asInt(10)));
    }
    // the Deployment carries its current ReplicaSet's revision, which kubectl rollout undo and history read
    String revision = create != null ? Integer.toString(maxRevision + 1) : null;
    if (current != null) {
      int newest = revision(current);
      for (Scale scale : scales) {
        if (scale.replicaSet() == current) {
          newest = Math.max(newest, Integer.parseInt(scale.annotations().get(REVISION)));
        }
      }
      revision = Integer.toString(newest);
    }
    return new DeploymentPlan(adoptions, create, scales, deletes, revision,
        status(deployment, current, owned, desired, unavailable, create, collisions, now));
  }

  /** How many times the template's hash has collided with another ReplicaSet's name (status.collisionCount). */
  static int collisionCount(JsonNode deployment) {
    return deployment.path("status").path("collisionCount").asInt(0);
  }

  private static boolean nameTaken(JsonNode replicaSet, List<JsonNode> replicaSetsOfNamespace) {
    String name = replicaSet.path("metadata").path("name").asString("");
    return replicaSetsOfNamespace.stream().anyMatch(rs -> rs.path("metadata").path("name").asString("").equals(name));
  }

  /** RollingUpdate: scale the new ReplicaSet up within maxSurge, else the old ones down within maxUnavailable. */
  private static void rollingStep(JsonNode current, List<JsonNode> old, int desired, int surge, int unavailable,
      Map<String, String> annotations, List<Scale> scales) {
    int all = specReplicas(current) + sum(old, DeploymentPlan::specReplicas);
    int target = specReplicas(current);
    if (target > desired) {
      target = desired;
    } else if (target < desired) {
      target += Math.max(0, Math.min(desired + surge - all, desired - target));
    }
    if (target != specReplicas(current)) {
      scales.add(new Scale(current, target, withRevision(annotations, revision(current))));
      return;
    }
    if (sum(old, DeploymentPlan::specReplicas) == 0) return;
    int minAvailable = desired - unavailable;
    int newUnavailable = specReplicas(current) - available(current);
    int maxScaleDown = all - minAvailable - newUnavailable;
    if (maxScaleDown <= 0) return;
    // old pods that are not available go first: removing them costs no availability
    List<JsonNode> oldest = old.stream().sorted(Comparator.comparingInt(DeploymentPlan::revision)).toList();
    int[] replicas = oldest.stream().mapToInt(DeploymentPlan::specReplicas).toArray();
    int budget = maxScaleDown;
    for (int i = 0; i < oldest.size() && budget > 0; i++) {
      int unhealthy = Math.min(budget, Math.max(0, replicas[i] - available(oldest.get(i))));
      replicas[i] -= unhealthy;
      budget -= unhealthy;
    }
    int availableNow = available(current) + sum(old, DeploymentPlan::available);
    int more = Math.min(budget, availableNow - minAvailable);
    for (int i = 0; i < oldest.size() && more > 0; i++) {
      int down = Math.min(more, replicas[i]);
      replicas[i] -= down;
      more -= down;
    }
    for (int i = 0; i < oldest.size(); i++) {
      if (replicas[i] != specReplicas(oldest.get(i))) {
        scales.add(new Scale(oldest.get(i), replicas[i], deploymentAnnotations(oldest.get(i))));
      }
    }
  }

  private static boolean complete(JsonNode current, List<JsonNode> old, int desired) {
    return specReplicas(current) == desired && available(current) == desired
        && old.stream().allMatch(rs -> specReplicas(rs) == 0 && statusReplicas(rs) == 0);
  }

  /** Old, emptied ReplicaSets beyond the history limit, oldest revision first. */
  private static List<JsonNode> history(List<JsonNode> old, int limit) {
    List<JsonNode> empty = old.stream().filter(rs -> specReplicas(rs) == 0 && statusReplicas(rs) == 0)
        .sorted(Comparator.comparingInt(DeploymentPlan::revision)).toList();
    return empty.subList(0, Math.max(0, empty.size() - Math.max(0, limit)));
  }

  /** The new ReplicaSet: the template with its hash label, the selector narrowed to it, owned by the Deployment. */
  static ObjectNode replicaSet(JsonNode deployment, int revision, int replicas, Map<String, String> annotations) {
    JsonNode spec = deployment.path("spec");
    String hash = templateHash(spec.path("template"), collisionCount(deployment));
    ObjectNode rs = JSON.createObjectNode();
    rs.put("apiVersion", "apps/v1").put("kind", "ReplicaSet");
    ObjectNode meta = rs.putObject("metadata");
    meta.put("name", deployment.path("metadata").path("name").asString("") + "-" + hash);
    meta.put("namespace", deployment.path("metadata").path("namespace").asString(""));
    ObjectNode template = spec.path("template").isObject() ? (ObjectNode) spec.path("template").deepCopy()
        : JSON.createObjectNode();
    ObjectNode templateMeta = template.has("metadata") ? (ObjectNode) template.get("metadata")
        : template.putObject("metadata");
    ObjectNode labels = templateMeta.has("labels") ? (ObjectNode) templateMeta.get("labels")
        : templateMeta.putObject("labels");
    labels.put(HASH_LABEL, hash);
    meta.set("labels", labels.deepCopy());
    ObjectNode rsAnnotations = meta.putObject("annotations");
    withRevision(annotations, revision).forEach(rsAnnotations::put);
    ObjectNode ref = meta.putArray("ownerReferences").addObject();
    ref.put("apiVersion", "apps/v1").put("kind", "Deployment")
        .put("name", deployment.path("metadata").path("name").asString(""))
        .put("uid", deployment.path("metadata").path("uid").asString("")).put("controller", true)
        .put("blockOwnerDeletion", true);
    ObjectNode rsSpec = rs.putObject("spec");
    rsSpec.put("replicas", replicas);
    if (spec.has("minReadySeconds")) rsSpec.set("minReadySeconds", spec.get("minReadySeconds").deepCopy());
    ObjectNode selector = spec.path("selector").isObject() ? (ObjectNode) spec.path("selector").deepCopy()
        : JSON.createObjectNode();
    (selector.has("matchLabels") ? (ObjectNode) selector.get("matchLabels") : selector.putObject("matchLabels"))
        .put(HASH_LABEL, hash);
    rsSpec.set("selector", selector);
    rsSpec.set("template", template);
    return rs;
  }

  /**
   * The ReplicaSet's template is the Deployment's, but for its hash label, and as Kubernetes compares typed objects,
   * whose JSON leaves out empty fields: a null, false, zero, or empty object or list is the same as none (kubectl
   * rollout undo sends the template back as Go writes it, with {@code "creationTimestamp": null} and
   * {@code "resources": {}}; both sides have had the API server's defaults, so no default hides behind a zero).
   */
  static boolean sameTemplate(JsonNode replicaSet, JsonNode template) {
    JsonNode theirs = withoutEmpties(replicaSet.path("spec").path("template"));
    JsonNode labels = theirs.path("metadata").path("labels");
    if (labels.isObject()) {
      ((ObjectNode) labels).remove(HASH_LABEL);
      theirs = withoutEmpties(theirs);
    }
    return theirs.equals(withoutEmpties(template));
  }

  /** A copy without nulls, falses, zeros, empty strings, objects and lists, at any depth. */
  static JsonNode withoutEmpties(JsonNode node) {
    if (node.isObject()) {
      ObjectNode out = JSON.createObjectNode();
      node.properties().forEach(e -> {
        JsonNode value = withoutEmpties(e.getValue());
        boolean empty = value.isNull() || value.isMissingNode() || (value.isContainer() && value.isEmpty())
            || (value.isBoolean() && !value.asBoolean()) || (value.isNumber() && value.asDouble() == 0)
            || (value.isString() && value.asString().isEmpty());
        if (!empty) {
          out.set(e.getKey(), value);
        }
      });
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = JSON.createArrayNode();
      node.forEach(v -> out.add(withoutEmpties(v)));
      return out;
    }
    return node;
  }

  /** FNV-1a (32 bit) of the template's JSON with sorted keys and the collision count, in kube's safe alphabet. */
  static String templateHash(JsonNode template, int collisionCount) {
    int hash = 0x811c9dc5;
    for (byte b : (canonical(template) + (collisionCount == 0 ? "" : "#" + collisionCount))
        .getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x01000193;
    }
    StringBuilder out = new StringBuilder();
    for (char c : Long.toString(Integer.toUnsignedLong(hash)).toCharArray()) {
      out.append(ALPHABET.charAt(c % ALPHABET.length()));
    }
    return out.toString();
  }

  private static String canonical(JsonNode node) {
    if (node.isObject()) {
      TreeMap<String, String> fields = new TreeMap<>();
      node.properties().forEach(e -> fields.put(e.getKey(), canonical(e.getValue())));
      StringBuilder out = new StringBuilder("{");
      fields.forEach((k, v) -> out.append(JSON.writeValueAsString(k)).append(':').append(v).append(','));
      return out.append('}').toString();
    }
    if (node.isArray()) {
      StringBuilder out = new StringBuilder("[");
      node.forEach(v -> out.append(canonical(v)).append(','));
      return out.append(']').toString();
    }
    return node.toString();
  }

  /** maxSurge (rounded up) or maxUnavailable (rounded down), a count or a percentage of the replicas. */
  static int resolve(JsonNode value, int replicas, boolean roundUp) {
    if (value.isNumber()) return Math.max(0, value.asInt());
    String text = value.asString("25%");
    if (text.endsWith("%")) {
      double share = Integer.parseInt(text.substring(0, text.length() - 1)) * replicas / 100.0;
      return (int) (roundUp ? Math.ceil(share) : Math.floor(share));
    }
    return Integer.parseInt(text);
  }

  static int replicas(JsonNode object) {
    JsonNode replicas = object.path("spec").path("replicas");
    return replicas.isNumber() ? replicas.asInt() : 1;
  }

  private static int specReplicas(JsonNode rs) {
    return rs.path("spec").path("replicas").asInt(0);
  }

  private static int statusReplicas(JsonNode rs) {
    return rs.path("status").path("replicas").asInt(0);
  }

  private static int available(JsonNode rs) {
    return rs.path("status").path("availableReplicas").asInt(0);
  }

  private static int sum(List<JsonNode> sets, java.util.function.ToIntFunction<JsonNode> count) {
    return sets.stream().mapToInt(count).sum();
  }

  static int revision(JsonNode rs) {
    try {
      return Integer.parseInt(rs.path("metadata").path("annotations").path(REVISION).asString("0"));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static Map<String, String> deploymentAnnotations(JsonNode rs) {
    JsonNode a = rs.path("metadata").path("annotations");
    Map<String, String> out = new TreeMap<>();
    for (String key : List.of(DESIRED, MAX)) {
      if (a.has(key)) out.put(key, a.path(key).asString(""));
    }
    return out;
  }

  private static Map<String, String> withRevision(Map<String, String> annotations, int revision) {
    Map<String, String> out = new TreeMap<>(annotations);
    out.put(REVISION, Integer.toString(revision));
    return out;
  }

  /** The status kubectl reads, with Available and Progressing conditions. */
  static ObjectNode status(JsonNode deployment, JsonNode current, List<JsonNode> owned, int desired, int unavailable,
      ObjectNode created, int collisions, Instant now) {
    int replicas = sum(owned, DeploymentPlan::statusReplicas);
    int updated = current == null ? 0 : statusReplicas(current);
    int ready = owned.stream().mapToInt(rs -> rs.path("status").path("readyReplicas").asInt(0)).sum();
    int available = sum(owned, DeploymentPlan::available);
    ObjectNode status = JSON.createObjectNode();
    status.put("observedGeneration", deployment.path("metadata").path("generation").asLong(0));
    status.put("replicas", replicas).put("updatedReplicas", updated).put("readyReplicas", ready)
        .put("availableReplicas", available).put("unavailableReplicas", Math.max(0, replicas - available));
    JsonNode before = deployment.path("status");
    ArrayNode conditions = status.putArray("conditions");
    boolean minimum = available >= desired - unavailable;
    conditions.add(condition(before, "Available", minimum ? "True" : "False",
        minimum ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
        minimum ? "Deployment has minimum availability." : "Deployment does not have minimum availability.", now,
        false));
    String rsName = created != null ? created.path("metadata").path("name").asString("")
        : current == null ? "" : current.path("metadata").path("name").asString("");
    boolean done = current != null && updated == desired && available >= desired && replicas == updated;
    String reason;
    String message;
    if (created != null) {
      reason = "NewReplicaSetCreated";
      message = "Created new replica set \"" + rsName + "\"";
    } else if (done) {
      reason = "NewReplicaSetAvailable";
      message = "ReplicaSet \"" + rsName + "\" has successfully progressed.";
    } else {
      reason = "ReplicaSetUpdated";
      message = "ReplicaSet \"" + rsName + "\" is progressing.";
    }
    boolean progressed = !sameCounts(before, status) || created != null;
    ObjectNode progressing = condition(before, "Progressing", "True", reason, message, now, progressed);
    Duration deadline = Duration.ofSeconds(deployment.path("spec").path("progressDeadlineSeconds").asLong(600));
    String lastUpdate = progressing.path("lastUpdateTime").asString("");
    if (!done && !progressed && !lastUpdate.isEmpty() && Timestamps.parse(lastUpdate).plus(deadline).isBefore(now)) {
      progressing = condition(before, "Progressing", "False", "ProgressDeadlineExceeded",
          "ReplicaSet \"" + rsName + "\" has timed out progressing.", now, false);
    }
    conditions.add(progressing);
    if (collisions > 0) status.put("collisionCount", collisions);
    return status;
  }

  private static boolean sameCounts(JsonNode before, JsonNode after) {
    for (String field : List.of("replicas", "updatedReplicas", "readyReplicas", "availableReplicas")) {
      if (before.path(field).asInt(-1) != after.path(field).asInt(-1)) return false;
    }
    return true;
  }

  /**
   * A condition keeping the previous transition time while its status holds, and the previous update time unless
   * {@code touched} or the reason changed.
   */
  private static ObjectNode condition(JsonNode before, String type, String status, String reason, String message,
      Instant now, boolean touched) {
    JsonNode previous = null;
    for (JsonNode c : before.path("conditions")) {
      if (c.path("type").asString("").equals(type)) previous = c;
    }
    String time = Timestamps.format(now);
    boolean sameStatus = previous != null && previous.path("status").asString("").equals(status);
    boolean sameReason = sameStatus && previous.path("reason").asString("").equals(reason);
    ObjectNode c = JSON.createObjectNode();
    c.put("type", type).put("status", status)
        .put("lastUpdateTime", sameReason && !touched ? previous.path("lastUpdateTime").asString(time) : time)
        .put("lastTransitionTime", sameStatus ? previous.path("lastTransitionTime").asString(time) : time)
        .put("reason", reason).put("message", message);
    return c;
  }
}
