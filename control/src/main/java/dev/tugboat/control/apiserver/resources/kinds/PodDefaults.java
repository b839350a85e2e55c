package dev.tugboat.control.apiserver.resources.kinds;

import dev.tugboat.control.apiserver.resources.validation.Quantity;
import java.math.BigDecimal;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The defaults Kubernetes gives a pod spec (SetDefaults_PodSpec, _Container, _Probe, ... plus the ServiceAccount and
 * DefaultTolerationSeconds admission), for pods and for the templates of workloads.
 */
public final class PodDefaults {

  private PodDefaults() {}

  public static void applyToSpec(ObjectNode spec, boolean admission) {
    putIfAbsent(spec, "restartPolicy", "Always");
    putIfAbsent(spec, "dnsPolicy", "ClusterFirst");
    if (!spec.has("terminationGracePeriodSeconds")) {
      spec.put("terminationGracePeriodSeconds", 30);
    }
    putIfAbsent(spec, "schedulerName", "default-scheduler");
    if (!spec.has("securityContext")) {
      spec.putObject("securityContext");
    }
    if (!spec.has("enableServiceLinks")) {
      spec.put("enableServiceLinks", true);
    }
    if (admission) {
      String account = spec.path("serviceAccountName").asString("");
      if (account.isEmpty()) {
        account = spec.path("serviceAccount").asString("");
      }
      if (account.isEmpty()) {
        account = "default";
      }
      spec.put("serviceAccountName", account);
      spec.put("serviceAccount", account);
      if (!spec.has("priority")) {
        spec.put("priority", 0);
      }
      putIfAbsent(spec, "preemptionPolicy", "PreemptLowerPriority");
      defaultTolerations(spec);
    }
    for (String list : new String[] {"containers", "initContainers"}) {
      for (JsonNode container : spec.path(list)) {
        if (container.isObject()) {
          container((ObjectNode) container);
        }
      }
    }
    for (JsonNode volume : spec.path("volumes")) {
      if (!volume.isObject()) {
        continue;
      }
      for (String source : new String[] {"secret", "configMap", "downwardAPI", "projected"}) {
        JsonNode value = volume.path(source);
        if (value.isObject() && !value.has("defaultMode")) {
          ((ObjectNode) value).put("defaultMode", 420);
        }
      }
      if (!hasVolumeSource((ObjectNode) volume)) {
        ((ObjectNode) volume).putObject("emptyDir");
      }
    }
  }

  private static boolean hasVolumeSource(ObjectNode volume) {
    for (String field : volume.propertyNames()) {
      if (!field.equals("name")) {
        return true;
      }
    }
    return false;
  }

  /** Pods tolerate not-ready and unreachable nodes for 300 s (DefaultTolerationSeconds admission). */
  private static void defaultTolerations(ObjectNode spec) {
    ArrayNode tolerations = spec.has("tolerations") && spec.get("tolerations").isArray()
        ? (ArrayNode) spec.get("tolerations") : null;
    for (String taint : new String[] {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"}) {
      boolean present = false;
      if (tolerations != null) {
        for (JsonNode toleration : tolerations) {
          String key = toleration.path("key").asString("");
          String effect = toleration.path("effect").asString("");
          if ((key.equals(taint) || key.isEmpty() && "Exists".equals(toleration.path("operator").asString("")))
              && (effect.isEmpty() || effect.equals("NoExecute"))) {
            present = true;
          }
        }
      }
      if (!present) {
        if (tolerations == null) {
          tolerations = spec.putArray("tolerations");
        }
        ObjectNode toleration = tolerations.addObject();
        toleration.put("key", taint);
        toleration.put("operator", "Exists");
        toleration.put("effect", "NoExecute");
        toleration.put("tolerationSeconds", 300);
      }
    }
  }

  static void container(ObjectNode container) {
    String image = container.path("image").asString("");
    if (!container.has("imagePullPolicy") && !image.isEmpty()) {
      container.put("imagePullPolicy", pullPolicyFor(image));
    }
    putIfAbsent(container, "terminationMessagePath", "/dev/termination-log");
    putIfAbsent(container, "terminationMessagePolicy", "File");
    if (!container.has("resources")) {
      container.putObject("resources");
    }
    JsonNode resources = container.get("resources");
    if (resources.isObject() && resources.path("limits").isObject()) {
      ObjectNode requests = resources.path("requests").isObject() ? (ObjectNode) resources.get("requests")
          : ((ObjectNode) resources).putObject("requests");
      for (Map.Entry<String, JsonNode> limit : resources.get("limits").properties()) {
        if (!requests.has(limit.getKey())) {
          requests.set(limit.getKey(), limit.getValue().deepCopy());
        }
      }
    }
    for (JsonNode port : container.path("ports")) {
      if (port.isObject()) {
        putIfAbsent((ObjectNode) port, "protocol", "TCP");
      }
    }
    for (JsonNode env : container.path("env")) {
      JsonNode fieldRef = env.path("valueFrom").path("fieldRef");
      if (fieldRef.isObject()) {
        putIfAbsent((ObjectNode) fieldRef, "apiVersion", "v1");
      }
    }
    for (String probe : new String[] {"livenessProbe", "readinessProbe", "startupProbe"}) {
      JsonNode value = container.path(probe);
      if (value.isObject()) {
        probe((ObjectNode) value);
      }
    }
  }

  private static void probe(ObjectNode probe) {
    if (!probe.has("timeoutSeconds")) {
      probe.put("timeoutSeconds", 1);
    }
    if (!probe.has("periodSeconds")) {
      probe.put("periodSeconds", 10);
    }
    if (!probe.has("successThreshold")) {
      probe.put("successThreshold", 1);
    }
    if (!probe.has("failureThreshold")) {
      probe.put("failureThreshold", 3);
    }
    JsonNode httpGet = probe.path("httpGet");
    if (httpGet.isObject()) {
      putIfAbsent((ObjectNode) httpGet, "path", "/");
      putIfAbsent((ObjectNode) httpGet, "scheme", "HTTP");
    }
  }

  /** Always for {@code :latest} or an untagged image, IfNotPresent for other tags and digests. */
  public static String pullPolicyFor(String image) {
    if (image.contains("@")) {
      return "IfNotPresent";
    }
    int slash = image.lastIndexOf('/');
    int colon = image.lastIndexOf(':');
    if (colon <= slash) {
      return "Always";
    }
    return image.substring(colon + 1).equals("latest") ? "Always" : "IfNotPresent";
  }

  /** The pod's QoS class from its containers' requests and limits. */
  public static String qosClass(JsonNode spec) {
    boolean anySet = false;
    boolean guaranteed = true;
    for (String list : new String[] {"containers", "initContainers"}) {
      for (JsonNode container : spec.path(list)) {
        JsonNode requests = container.path("resources").path("requests");
        JsonNode limits = container.path("resources").path("limits");
        for (String resource : new String[] {"cpu", "memory"}) {
          BigDecimal request = quantity(requests.path(resource));
          BigDecimal limit = quantity(limits.path(resource));
          if (request != null && request.signum() > 0 || limit != null && limit.signum() > 0) {
            anySet = true;
          }
          if (limit == null || request == null || request.compareTo(limit) != 0) {
            guaranteed = false;
          }
        }
      }
    }
    if (!anySet) {
      return "BestEffort";
    }
    return guaranteed ? "Guaranteed" : "Burstable";
  }

  private static BigDecimal quantity(JsonNode node) {
    if (node.isMissingNode() || node.isNull()) {
      return null;
    }
    return Quantity.parse(node.isNumber() ? node.toString() : node.asString(""));
  }

  static void putIfAbsent(ObjectNode node, String field, String value) {
    JsonNode current = node.get(field);
    if (current == null || current.isNull() || current.isString() && current.asString().isEmpty()) {
      node.put(field, value);
    }
  }
}
