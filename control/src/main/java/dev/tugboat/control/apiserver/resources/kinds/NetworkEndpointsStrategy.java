package dev.tugboat.control.apiserver.resources.kinds;

import dev.tugboat.control.apiserver.resources.ResourceStrategy;
import dev.tugboat.control.apiserver.resources.validation.FieldError;
import dev.tugboat.control.apiserver.resources.validation.Names;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Endpoints and EndpointSlices, written by the endpoints controllers and read by every node's proxy: addresses must
 * be IPs of the slice's family, ports in range with known protocols. Endpoints may be created by an update.
 */
public final class NetworkEndpointsStrategy extends ResourceStrategy {

  private static final List<String> PROTOCOLS = List.of("SCTP", "TCP", "UDP");
  private static final List<String> ADDRESS_TYPES = List.of("FQDN", "IPv4", "IPv6");

  private final boolean slice;

  private NetworkEndpointsStrategy(boolean slice) {
    this.slice = slice;
  }

  public static NetworkEndpointsStrategy endpoints() {
    return new NetworkEndpointsStrategy(false);
  }

  public static NetworkEndpointsStrategy endpointSlice() {
    return new NetworkEndpointsStrategy(true);
  }

  @Override
  public boolean allowCreateOnUpdate() {
    return !slice;
  }

  @Override
  public boolean tracksGeneration() {
    return slice;
  }

  @Override
  public void applyDefaults(ObjectNode object) {
    for (JsonNode port : slice ? object.path("ports") : allSubsetPorts(object)) {
      if (port instanceof ObjectNode p) {
        PodDefaults.putIfAbsent(p, "protocol", "TCP");
      }
    }
  }

  private static List<JsonNode> allSubsetPorts(JsonNode endpoints) {
    List<JsonNode> ports = new ArrayList<>();
    for (JsonNode subset : endpoints.path("subsets")) {
      subset.path("ports").forEach(ports::add);
    }
    return ports;
  }

  @Override
  public List<FieldError> validate(ObjectNode object) {
    return slice ? validateSlice(object) : validateEndpoints(object);
  }

  private static List<FieldError> validateEndpoints(ObjectNode endpoints) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode subsets = endpoints.path("subsets");
    for (int s = 0; s < subsets.size(); s++) {
      JsonNode subset = subsets.get(s);
      for (String list : new String[] {"addresses", "notReadyAddresses"}) {
        JsonNode addresses = subset.path(list);
        for (int a = 0; a < addresses.size(); a++) {
          String ip = addresses.get(a).path("ip").asString("");
          String at = "subsets[" + s + "]." + list + "[" + a + "].ip";
          if (ip.isEmpty()) {
            errors.add(FieldError.required(at, ""));
          } else if (ServiceCidr.toLong(ip) < 0 && !ip.contains(":")) {
            errors.add(FieldError.invalid(at, ip, "must be a valid IP address"));
          }
        }
      }
      ports(subset.path("ports"), "subsets[" + s + "].ports", errors);
    }
    return errors;
  }

  private static List<FieldError> validateSlice(ObjectNode slice) {
    List<FieldError> errors = new ArrayList<>();
    String addressType = slice.path("addressType").asString("");
    if (addressType.isEmpty()) {
      errors.add(FieldError.required("addressType", ""));
    } else if (!ADDRESS_TYPES.contains(addressType)) {
      errors.add(FieldError.notSupported("addressType", addressType, ADDRESS_TYPES));
    }
    JsonNode endpoints = slice.path("endpoints");
    for (int e = 0; e < endpoints.size(); e++) {
      JsonNode addresses = endpoints.get(e).path("addresses");
      String at = "endpoints[" + e + "].addresses";
      if (addresses.isEmpty()) {
        errors.add(FieldError.required(at, "must contain at least 1 address"));
      }
      for (int a = 0; a < addresses.size(); a++) {
        String address = addresses.get(a).asString("");
        boolean valid = switch (addressType) {
          case "IPv4" -> ServiceCidr.toLong(address) >= 0;
          case "IPv6" -> address.contains(":");
          default -> Names.dns1123Subdomain(address).isEmpty();
        };
        if (!valid) {
          errors.add(FieldError.invalid(at + "[" + a + "]", address, "must be a valid " + addressType + " address"));
        }
      }
    }
    ports(slice.path("ports"), "ports", errors);
    return errors;
  }

  private static void ports(JsonNode ports, String path, List<FieldError> errors) {
    for (int i = 0; i < ports.size(); i++) {
      JsonNode port = ports.get(i);
      String at = path + "[" + i + "]";
      JsonNode number = port.path("port");
      if (number.isNumber() && (number.asLong() < 0 || number.asLong() > 65535)) {
        errors.add(FieldError.invalid(at + ".port", number.asLong(), "must be between 0 and 65535, inclusive"));
      }
      String protocol = port.path("protocol").asString("TCP");
      if (!PROTOCOLS.contains(protocol)) {
        errors.add(FieldError.notSupported(at + ".protocol", protocol, PROTOCOLS));
      }
    }
  }
}
