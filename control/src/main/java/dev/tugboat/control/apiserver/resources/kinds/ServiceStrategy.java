package dev.tugboat.control.apiserver.resources.kinds;

import dev.tugboat.control.apiserver.resources.Allocator;
import dev.tugboat.control.apiserver.resources.ResourceStrategy;
import dev.tugboat.control.apiserver.resources.Tree;
import dev.tugboat.control.apiserver.resources.validation.FieldError;
import dev.tugboat.control.apiserver.resources.validation.Names;
import dev.tugboat.control.apiserver.resources.validation.ObjectMetaValidation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Services: defaults, validation, an immutable cluster IP, and cluster IP and node port allocation. */
public final class ServiceStrategy extends ResourceStrategy {

  private static final List<String> TYPES = List.of("ClusterIP", "ExternalName", "LoadBalancer", "NodePort");
  private static final List<String> PROTOCOLS = List.of("SCTP", "TCP", "UDP");

  private final ServiceAllocator allocator;

  public ServiceStrategy(ServiceAllocator allocator) {
    this.allocator = allocator;
  }

  @Override
  public List<String> validateName(String name) {
    return Names.dns1035Label(name);
  }

  @Override
  public boolean hasStatus() {
    return true;
  }

  @Override
  public boolean tracksGeneration() {
    return false;
  }

  @Override
  public void prepareForCreate(ObjectNode service) {
    service.remove("status");
    service.putObject("status").putObject("loadBalancer");
  }

  @Override
  public void prepareForUpdate(ObjectNode service, ObjectNode old) {
    super.prepareForUpdate(service, old);
    ObjectNode spec = Tree.object(service, "spec");
    JsonNode oldSpec = old.path("spec");
    dropTypeDependentFields(spec, oldSpec);
    // like Kubernetes, a client that omits allocated values (kubectl replace, apply) keeps them
    if (spec.path("clusterIP").asString("").isEmpty() && oldSpec.has("clusterIP")
        && spec.path("type").asString("ClusterIP").equals(oldSpec.path("type").asString("ClusterIP"))) {
      spec.set("clusterIP", oldSpec.get("clusterIP"));
      if (oldSpec.has("clusterIPs")) {
        spec.set("clusterIPs", oldSpec.get("clusterIPs"));
      }
    }
  }

  /**
   * Like Kubernetes' dropTypeDependentFields: a service leaving NodePort/LoadBalancer drops the node ports and
   * traffic policy it was given, unless the update changed them itself.
   */
  private static void dropTypeDependentFields(ObjectNode spec, JsonNode oldSpec) {
    String type = spec.path("type").asString("ClusterIP");
    String oldType = oldSpec.path("type").asString("ClusterIP");
    boolean hadNodePorts = oldType.equals("NodePort") || oldType.equals("LoadBalancer");
    boolean needsNodePorts = type.equals("NodePort") || type.equals("LoadBalancer");
    if (!hadNodePorts || needsNodePorts) {
      return;
    }
    JsonNode oldPorts = oldSpec.path("ports");
    JsonNode ports = spec.path("ports");
    for (int i = 0; i < ports.size(); i++) {
      if (ports.get(i) instanceof ObjectNode port && i < oldPorts.size()
          && port.path("nodePort").equals(oldPorts.get(i).path("nodePort"))) {
        port.remove("nodePort");
      }
    }
    if (spec.path("externalTrafficPolicy").equals(oldSpec.path("externalTrafficPolicy"))) {
      spec.remove("externalTrafficPolicy");
    }
  }

  @Override
  public void applyDefaults(ObjectNode service) {
    ObjectNode spec = Tree.object(service, "spec");
    PodDefaults.putIfAbsent(spec, "type", "ClusterIP");
    String type = spec.path("type").asString();
    if (!type.equals("ExternalName")) {
      PodDefaults.putIfAbsent(spec, "sessionAffinity", "None");
      if (!spec.has("ipFamilies")) {
        spec.putArray("ipFamilies").add("IPv4");
      }
      PodDefaults.putIfAbsent(spec, "ipFamilyPolicy", "SingleStack");
      PodDefaults.putIfAbsent(spec, "internalTrafficPolicy", "Cluster");
    }
    if (type.equals("NodePort") || type.equals("LoadBalancer")) {
      PodDefaults.putIfAbsent(spec, "externalTrafficPolicy", "Cluster");
    }
    if (type.equals("LoadBalancer") && !spec.has("allocateLoadBalancerNodePorts")) {
      spec.put("allocateLoadBalancerNodePorts", true);
    }
    for (JsonNode port : spec.path("ports")) {
      if (port instanceof ObjectNode p) {
        PodDefaults.putIfAbsent(p, "protocol", "TCP");
        if (!p.has("targetPort") && p.has("port")) {
          p.set("targetPort", p.get("port"));
        }
      }
    }
  }

  @Override
  public List<FieldError> validate(ObjectNode service) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode spec = service.path("spec");
    String type = spec.path("type").asString("ClusterIP");
    if (!TYPES.contains(type)) {
      errors.add(FieldError.notSupported("spec.type", type, TYPES));
    }
    boolean headless = "None".equals(spec.path("clusterIP").asString(""));
    JsonNode ports = spec.path("ports");
    if (type.equals("ExternalName")) {
      String externalName = spec.path("externalName").asString("");
      if (externalName.isEmpty()) {
        errors.add(FieldError.required("spec.externalName", ""));
      }
    } else if (!headless && ports.isEmpty()) {
      errors.add(FieldError.required("spec.ports", ""));
    }
    Set<String> names = new HashSet<>();
    Set<String> portProtocols = new HashSet<>();
    boolean nodePorts = type.equals("NodePort") || type.equals("LoadBalancer");
    for (int i = 0; i < ports.size(); i++) {
      JsonNode port = ports.get(i);
      String at = "spec.ports[" + i + "]";
      String name = port.path("name").asString("");
      if (name.isEmpty()) {
        if (ports.size() > 1) {
          errors.add(FieldError.required(at + ".name", ""));
        }
      } else {
        Names.dns1123Label(name).forEach(p -> errors.add(FieldError.invalid(at + ".name", name, p)));
        if (!names.add(name)) {
          errors.add(FieldError.duplicate(at + ".name", name));
        }
      }
      long number = port.path("port").asLong(0);
      if (number < 1 || number > 65535) {
        errors.add(FieldError.invalid(at + ".port", number, "must be between 1 and 65535, inclusive"));
      }
      String protocol = port.path("protocol").asString("TCP");
      if (!PROTOCOLS.contains(protocol)) {
        errors.add(FieldError.notSupported(at + ".protocol", protocol, PROTOCOLS));
      }
      if (!portProtocols.add(number + "/" + protocol)) {
        errors.add(FieldError.duplicate(at, number + "/" + protocol));
      }
      JsonNode target = port.path("targetPort");
      if (target.isNumber()) {
        if (target.asLong() < 1 || target.asLong() > 65535) {
          errors.add(FieldError.invalid(at + ".targetPort", target.asLong(), "must be between 1 and 65535, "
              + "inclusive"));
        }
      } else if (target.isString()) {
        Names.portName(target.asString()).forEach(
            p -> errors.add(FieldError.invalid(at + ".targetPort", target.asString(), p)));
      }
      if (!nodePorts && port.path("nodePort").asInt(0) != 0) {
        errors.add(FieldError.forbidden(at + ".nodePort", "may not be used when `type` is '" + type + "'"));
      }
    }
    errors.addAll(ObjectMetaValidation.labels(spec.path("selector"), "spec.selector"));
    String ip = spec.path("clusterIP").asString("");
    if (!ip.isEmpty() && !ip.equals("None") && ServiceCidr.toLong(ip) < 0) {
      errors.add(FieldError.invalid("spec.clusterIP", ip, "must be a valid IP address, (e.g. 10.9.8.7 or "
          + "2001:db8::ffff)"));
    }
    return errors;
  }

  @Override
  public List<FieldError> validateUpdate(ObjectNode service, ObjectNode old) {
    List<FieldError> errors = new ArrayList<>(validate(service));
    String oldIp = Tree.textOr(old, "", "spec", "clusterIP");
    String ip = Tree.textOr(service, "", "spec", "clusterIP");
    String type = Tree.textOr(service, "ClusterIP", "spec", "type");
    String oldType = Tree.textOr(old, "ClusterIP", "spec", "type");
    if (!oldIp.isEmpty() && !oldIp.equals(ip) && !type.equals("ExternalName") && !oldType.equals("ExternalName")) {
      errors.add(FieldError.invalid("spec.clusterIP", ip, "field is immutable"));
    }
    return errors;
  }

  @Override
  public Allocator allocator() {
    return allocator;
  }
}
