package dev.tugboat.control.apiserver.resources.validation;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/** Validation of a pod spec ({@code ValidatePodSpec}) at a path: {@code spec} of a pod, or a template's spec. */
public final class PodSpecValidation {

  private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");
  private static final List<String> PROTOCOLS = List.of("SCTP", "TCP", "UDP");
  private static final List<String> RESTART_POLICIES = List.of("Always", "Never", "OnFailure");
  private static final List<String> DNS_POLICIES = List.of("ClusterFirst", "ClusterFirstWithHostNet", "Default",
      "None");
  private static final List<String> PULL_POLICIES = List.of("Always", "IfNotPresent", "Never");

  private PodSpecValidation() {}

  public static List<FieldError> validate(JsonNode spec, String path) {
    List<FieldError> errors = new ArrayList<>();
    if (!spec.isObject()) {
      errors.add(FieldError.required(path, ""));
      return errors;
    }
    Set<String> volumes = new HashSet<>();
    JsonNode volumeList = spec.path("volumes");
    for (int i = 0; i < volumeList.size(); i++) {
      String name = volumeList.get(i).path("name").asString("");
      String at = path + ".volumes[" + i + "].name";
      if (name.isEmpty()) {
        errors.add(FieldError.required(at, ""));
      } else {
        Names.dns1123Label(name).forEach(p -> errors.add(FieldError.invalid(at, name, p)));
        if (!volumes.add(name)) {
          errors.add(FieldError.duplicate(at, name));
        }
      }
    }
    Set<String> containerNames = new HashSet<>();
    JsonNode containers = spec.path("containers");
    if (!containers.isArray() || containers.isEmpty()) {
      errors.add(FieldError.required(path + ".containers", ""));
    } else {
      for (int i = 0; i < containers.size(); i++) {
        container(containers.get(i), path + ".containers[" + i + "]", false, containerNames, volumes, errors);
      }
    }
    JsonNode initContainers = spec.path("initContainers");
    for (int i = 0; i < initContainers.size(); i++) {
      container(initContainers.get(i), path + ".initContainers[" + i + "]", true, containerNames, volumes, errors);
    }
    oneOf(spec, "restartPolicy", path, RESTART_POLICIES, errors);
    oneOf(spec, "dnsPolicy", path, DNS_POLICIES, errors);
    JsonNode grace = spec.path("terminationGracePeriodSeconds");
    if (grace.isNumber() && grace.asLong() < 0) {
      errors.add(FieldError.invalid(path + ".terminationGracePeriodSeconds", grace.asLong(),
          "must be greater than or equal to 0"));
    }
    JsonNode deadline = spec.path("activeDeadlineSeconds");
    if (deadline.isNumber() && deadline.asLong() <= 0) {
      errors.add(FieldError.invalid(path + ".activeDeadlineSeconds", deadline.asLong(),
          "must be between 1 and 2147483647, inclusive"));
    }
    String nodeName = spec.path("nodeName").asString("");
    if (!nodeName.isEmpty()) {
      Names.dns1123Subdomain(nodeName).forEach(p -> errors.add(FieldError.invalid(path + ".nodeName", nodeName, p)));
    }
    errors.addAll(ObjectMetaValidation.labels(spec.path("nodeSelector"), path + ".nodeSelector"));
    return errors;
  }

  private static void oneOf(JsonNode spec, String field, String path, List<String> allowed, List<FieldError> errors) {
    JsonNode value = spec.path(field);
    if (value.isString() && !allowed.contains(value.asString())) {
      errors.add(FieldError.notSupported(path + "." + field, value.asString(), allowed));
    }
  }

  private static void container(JsonNode container, String path, boolean init, Set<String> names,
                                Set<String> volumes, List<FieldError> errors) {
    String name = container.path("name").asString("");
    if (name.isEmpty()) {
      errors.add(FieldError.required(path + ".name", ""));
    } else {
      Names.dns1123Label(name).forEach(p -> errors.add(FieldError.invalid(path + ".name", name, p)));
      if (!names.add(name)) {
        errors.add(FieldError.duplicate(path + ".name", name));
      }
    }
    if (container.path("image").asString("").isBlank()) {
      errors.add(FieldError.required(path + ".image", ""));
    }
    JsonNode pullPolicy = container.path("imagePullPolicy");
    if (pullPolicy.isString() && !PULL_POLICIES.contains(pullPolicy.asString())) {
      errors.add(FieldError.notSupported(path + ".imagePullPolicy", pullPolicy.asString(), PULL_POLICIES));
    }
    JsonNode ports = container.path("ports");
    Set<String> portNames = new HashSet<>();
    for (int i = 0; i < ports.size(); i++) {
      JsonNode port = ports.get(i);
      String at = path + ".ports[" + i + "]";
      JsonNode containerPort = port.path("containerPort");
      if (!containerPort.isNumber() || containerPort.asLong() == 0) {
        errors.add(FieldError.required(at + ".containerPort", ""));
      } else {
        portRange(at + ".containerPort", containerPort.asLong(), errors);
      }
      JsonNode hostPort = port.path("hostPort");
      if (hostPort.isNumber() && hostPort.asLong() != 0) {
        portRange(at + ".hostPort", hostPort.asLong(), errors);
      }
      JsonNode protocol = port.path("protocol");
      if (protocol.isString() && !PROTOCOLS.contains(protocol.asString())) {
        errors.add(FieldError.notSupported(at + ".protocol", protocol.asString(), PROTOCOLS));
      }
      String portName = port.path("name").asString("");
      if (!portName.isEmpty()) {
        Names.portName(portName).forEach(p -> errors.add(FieldError.invalid(at + ".name", portName, p)));
        if (!portNames.add(portName)) {
          errors.add(FieldError.duplicate(at + ".name", portName));
        }
      }
    }
    JsonNode env = container.path("env");
    for (int i = 0; i < env.size(); i++) {
      String envName = env.get(i).path("name").asString("");
      String at = path + ".env[" + i + "].name";
      if (envName.isEmpty()) {
        errors.add(FieldError.required(at, ""));
      } else if (!ENV_NAME.matcher(envName).matches()) {
        errors.add(FieldError.invalid(at, envName, "a valid environment variable name must consist of alphabetic "
            + "characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or "
            + "'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')"));
      }
    }
    JsonNode mounts = container.path("volumeMounts");
    Set<String> mountPaths = new HashSet<>();
    for (int i = 0; i < mounts.size(); i++) {
      JsonNode mount = mounts.get(i);
      String at = path + ".volumeMounts[" + i + "]";
      String volume = mount.path("name").asString("");
      if (volume.isEmpty()) {
        errors.add(FieldError.required(at + ".name", ""));
      } else if (!volumes.contains(volume)) {
        errors.add(FieldError.notFound(at + ".name", volume));
      }
      String mountPath = mount.path("mountPath").asString("");
      if (mountPath.isEmpty()) {
        errors.add(FieldError.required(at + ".mountPath", ""));
      } else if (!mountPaths.add(mountPath)) {
        errors.add(FieldError.invalid(at + ".mountPath", mountPath, "must be unique"));
      }
    }
    resources(container.path("resources"), path + ".resources", errors);
    ProbeValidation.container(container, path, init, errors);
  }

  static void portRange(String path, long port, List<FieldError> errors) {
    if (port < 1 || port > 65535) {
      errors.add(FieldError.invalid(path, port, "must be between 1 and 65535, inclusive"));
    }
  }

  private static void resources(JsonNode resources, String path, List<FieldError> errors) {
    Map<String, BigDecimal> limits = quantities(resources.path("limits"), path + ".limits", errors);
    Map<String, BigDecimal> requests = quantities(resources.path("requests"), path + ".requests", errors);
    for (Map.Entry<String, BigDecimal> request : requests.entrySet()) {
      BigDecimal limit = limits.get(request.getKey());
      if (limit != null && request.getValue().compareTo(limit) > 0) {
        errors.add(FieldError.invalid(path + ".requests", resources.path("requests").path(request.getKey()),
            "must be less than or equal to " + request.getKey() + " limit of "
                + resources.path("limits").path(request.getKey()).asString()));
      }
    }
  }

  private static Map<String, BigDecimal> quantities(JsonNode map, String path, List<FieldError> errors) {
    Map<String, BigDecimal> values = new java.util.HashMap<>();
    if (!map.isObject()) {
      return values;
    }
    for (Map.Entry<String, JsonNode> entry : map.properties()) {
      String at = path + "[" + entry.getKey() + "]";
      String text = entry.getValue().isNumber() ? entry.getValue().toString() : entry.getValue().asString("");
      BigDecimal value = Quantity.parse(text);
      if (value == null) {
        errors.add(FieldError.invalid(at, text, "quantities must match the regular expression '"
            + Quantity.FORMAT + "'"));
      } else if (value.signum() < 0) {
        errors.add(FieldError.invalid(at, text, "must be greater than or equal to 0"));
      } else {
        values.put(entry.getKey(), value);
      }
    }
    return values;
  }
}
