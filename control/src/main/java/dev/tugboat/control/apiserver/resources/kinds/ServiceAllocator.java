package dev.tugboat.control.apiserver.resources.kinds;

import dev.tugboat.control.apiserver.resources.Allocator;
import dev.tugboat.control.apiserver.resources.StoreCalls;
import dev.tugboat.control.apiserver.resources.StatusError;
import dev.tugboat.control.apiserver.resources.Tree;
import dev.tugboat.control.apiserver.resources.validation.FieldError;
import dev.tugboat.control.store.Compare;
import dev.tugboat.control.store.DeleteRangeRequest;
import dev.tugboat.control.store.KeyRanges;
import dev.tugboat.control.store.KeyValue;
import dev.tugboat.control.store.KeyValueStore;
import dev.tugboat.control.store.Op;
import dev.tugboat.control.store.PutRequest;
import dev.tugboat.control.store.RangeRequest;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Cluster IPs from the service CIDR and node ports from 30000-32767. Each reserved number is a store key
 * ({@code /registry/tugboat/serviceips/10.96.0.10}, {@code /registry/tugboat/servicenodeports/30080}) created and
 * deleted in the same transaction as its service, so a number is taken exactly while its service exists.
 */
public final class ServiceAllocator implements Allocator {

  public static final String IP_PREFIX = "/registry/tugboat/serviceips/";
  public static final String NODE_PORT_PREFIX = "/registry/tugboat/servicenodeports/";

  private final KeyValueStore store;
  private final ServiceCidr cidr;
  private final int nodePortMin;
  private final int nodePortMax;
  private final SecureRandom random = new SecureRandom();

  public ServiceAllocator(KeyValueStore store, ServiceCidr cidr, int nodePortMin, int nodePortMax) {
    this.store = store;
    this.cidr = cidr;
    this.nodePortMin = nodePortMin;
    this.nodePortMax = nodePortMax;
  }

  public ServiceCidr cidr() {
    return cidr;
  }

  @Override
  public Reservation reserve(ObjectNode service, ObjectNode old) {
    List<Compare> compares = new ArrayList<>();
    List<Op> ops = new ArrayList<>();
    List<FieldError> errors = new ArrayList<>();
    ObjectNode spec = Tree.object(service, "spec");
    String owner = Tree.namespace(service) + "/" + Tree.name(service);
    String type = spec.path("type").asString("ClusterIP");
    String oldIp = old == null ? "" : Tree.textOr(old, "", "spec", "clusterIP");
    String ip = spec.path("clusterIP").asString("");
    if (type.equals("ExternalName")) {
      spec.remove("clusterIP");
      spec.remove("clusterIPs");
      ip = "";
    } else if (!ip.equals("None")) {
      if (ip.isEmpty()) {
        ip = pickIp();
        take(IP_PREFIX + ip, owner, compares, ops);
      } else if (!ip.equals(oldIp)) {
        if (!cidr.contains(ip)) {
          errors.add(FieldError.invalid("spec.clusterIP", ip, "provided IP is not in the valid range. The range "
              + "of valid IPs is " + cidr));
        } else if (isTaken(IP_PREFIX + ip)) {
          errors.add(FieldError.invalid("spec.clusterIP", ip, "provided IP is already allocated"));
        } else {
          take(IP_PREFIX + ip, owner, compares, ops);
        }
      }
      spec.put("clusterIP", ip);
      spec.putArray("clusterIPs").add(ip);
    } else {
      spec.putArray("clusterIPs").add("None");
    }
    if (!oldIp.isEmpty() && !oldIp.equals("None") && !oldIp.equals(ip)) {
      ops.add(DeleteRangeRequest.key(bytes(IP_PREFIX + oldIp)));
    }

    Map<String, Integer> oldPorts = new HashMap<>();
    Set<Integer> held = new HashSet<>();
    if (old != null) {
      for (JsonNode port : old.path("spec").path("ports")) {
        int nodePort = port.path("nodePort").asInt(0);
        if (nodePort > 0) {
          oldPorts.put(port.path("port").asInt() + "/" + port.path("protocol").asString("TCP"), nodePort);
          held.add(nodePort);
        }
      }
    }
    Set<Integer> kept = new HashSet<>();
    boolean wantsNodePorts = type.equals("NodePort") || type.equals("LoadBalancer");
    JsonNode ports = spec.path("ports");
    Set<Integer> taken = null;
    for (int i = 0; i < ports.size(); i++) {
      if (!(ports.get(i) instanceof ObjectNode port)) {
        continue;
      }
      if (!wantsNodePorts) {
        port.remove("nodePort");
        continue;
      }
      int nodePort = port.path("nodePort").asInt(0);
      if (nodePort == 0) {
        Integer previous = oldPorts.get(port.path("port").asInt() + "/" + port.path("protocol").asString("TCP"));
        if (previous != null && !kept.contains(previous)) {
          nodePort = previous;
        } else {
          if (taken == null) {
            taken = takenNodePorts();
          }
          nodePort = pickNodePort(taken, kept);
          take(NODE_PORT_PREFIX + nodePort, owner, compares, ops);
        }
      } else if (!held.contains(nodePort) || kept.contains(nodePort)) {
        if (nodePort < nodePortMin || nodePort > nodePortMax) {
          errors.add(FieldError.invalid("spec.ports[" + i + "].nodePort", nodePort, "provided port is not in the "
              + "valid range. The range of valid ports is " + nodePortMin + "-" + nodePortMax));
          continue;
        }
        if (kept.contains(nodePort) || isTaken(NODE_PORT_PREFIX + nodePort)) {
          errors.add(FieldError.invalid("spec.ports[" + i + "].nodePort", nodePort,
              "provided port is already allocated"));
          continue;
        }
        take(NODE_PORT_PREFIX + nodePort, owner, compares, ops);
      }
      kept.add(nodePort);
      port.put("nodePort", nodePort);
    }
    for (int nodePort : held) {
      if (!kept.contains(nodePort)) {
        ops.add(DeleteRangeRequest.key(bytes(NODE_PORT_PREFIX + nodePort)));
      }
    }
    if (!errors.isEmpty()) {
      throw StatusError.invalid("", "Service", Tree.textOr(service, "", "metadata", "name"), errors);
    }
    return new Reservation(compares, ops);
  }

  @Override
  public List<Op> release(ObjectNode old) {
    List<Op> ops = new ArrayList<>();
    String ip = Tree.textOr(old, "", "spec", "clusterIP");
    if (!ip.isEmpty() && !ip.equals("None")) {
      ops.add(DeleteRangeRequest.key(bytes(IP_PREFIX + ip)));
    }
    for (JsonNode port : old.path("spec").path("ports")) {
      int nodePort = port.path("nodePort").asInt(0);
      if (nodePort > 0) {
        ops.add(DeleteRangeRequest.key(bytes(NODE_PORT_PREFIX + nodePort)));
      }
    }
    return ops;
  }

  private static void take(String key, String owner, List<Compare> compares, List<Op> ops) {
    byte[] k = bytes(key);
    compares.add(new Compare(k, KeyRanges.NONE, Compare.Target.CREATE, Compare.Result.EQUAL, 0, null));
    ops.add(PutRequest.of(k, bytes(owner)));
  }

  private boolean isTaken(String key) {
    return !StoreCalls.await(store.range(RangeRequest.key(bytes(key)))).kvs().isEmpty();
  }

  private Set<String> takenKeys(String prefix) {
    Set<String> keys = new HashSet<>();
    RangeRequest request = new RangeRequest(bytes(prefix), KeyRanges.prefixEnd(bytes(prefix)), 0, 0, true, false,
        false);
    for (KeyValue kv : StoreCalls.await(store.range(request)).kvs()) {
      keys.add(new String(kv.key(), StandardCharsets.UTF_8).substring(prefix.length()));
    }
    return keys;
  }

  /** A free address, by random probing from a random start, as Kubernetes' allocator does; .1 is for kubernetes. */
  private String pickIp() {
    Set<String> taken = takenKeys(IP_PREFIX);
    long size = cidr.size();
    long start = 2 + (long) (random.nextDouble() * (size - 3));
    for (long i = 0; i < size - 3; i++) {
      long offset = 2 + ((start - 2 + i) % (size - 3));
      String candidate = cidr.address(offset);
      if (!taken.contains(candidate)) {
        return candidate;
      }
    }
    throw StatusError.internal("failed to allocate a serviceIP: range is full");
  }

  private Set<Integer> takenNodePorts() {
    Set<Integer> ports = new HashSet<>();
    for (String key : takenKeys(NODE_PORT_PREFIX)) {
      ports.add(Integer.parseInt(key));
    }
    return ports;
  }

  private int pickNodePort(Set<Integer> taken, Set<Integer> kept) {
    int size = nodePortMax - nodePortMin + 1;
    int start = random.nextInt(size);
    for (int i = 0; i < size; i++) {
      int candidate = nodePortMin + (start + i) % size;
      if (!taken.contains(candidate) && !kept.contains(candidate)) {
        return candidate;
      }
    }
    throw StatusError.internal("failed to allocate a nodePort: range is full");
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
