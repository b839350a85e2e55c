package dev.tugboat.control.apiserver.discovery;

import dev.tugboat.control.apiserver.ResourceInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The discovery documents kubectl reads before anything else, all derived from the served resources: the legacy
 * ones ({@code /api}, {@code /apis}, {@code /api/v1}, {@code /apis/GROUP[/VERSION]}) and aggregated discovery
 * ({@code apidiscovery.k8s.io} v2 and v2beta1, one response listing every group, version and resource).
 */
public final class DiscoveryDocuments {

  /** The media type kubectl 1.30+ asks for first; {@code VERSION} is v2 or v2beta1. */
  public static final String AGGREGATED_MEDIA_TYPE = "application/json;g=apidiscovery.k8s.io;v=%s;as=APIGroupDiscoveryList";

  private static final JsonMapper JSON = JsonMapper.shared();
  private final List<ResourceInfo> resources;

  public DiscoveryDocuments(List<ResourceInfo> resources) {
    this.resources = List.copyOf(resources);
  }

  /** The aggregated discovery version the Accept header prefers (v2 over v2beta1), or null for the legacy form. */
  public static String aggregatedVersion(String accept) {
    if (accept == null) {
      return null;
    }
    for (String range : accept.split(",")) {
      String compact = range.replace(" ", "");
      if (compact.contains("g=apidiscovery.k8s.io") && compact.contains("as=APIGroupDiscoveryList")) {
        if (compact.contains("v=v2;") || compact.endsWith("v=v2")) {
          return "v2";
        }
        if (compact.contains("v=v2beta1")) {
          return "v2beta1";
        }
      }
    }
    return null;
  }

  /** {@code /api}: the core group's versions. */
  public byte[] apiVersions(String serverAddress) {
    ObjectNode root = JSON.createObjectNode();
    root.put("kind", "APIVersions");
    ArrayNode versions = root.putArray("versions");
    versionsOf("").forEach(versions::add);
    ObjectNode address = root.putArray("serverAddressByClientCIDRs").addObject();
    address.put("clientCIDR", "0.0.0.0/0");
    address.put("serverAddress", serverAddress);
    return JSON.writeValueAsBytes(root);
  }

  /** {@code /apis}: every named group with its versions. */
  public byte[] apiGroupList() {
    ObjectNode root = JSON.createObjectNode();
    root.put("kind", "APIGroupList");
    root.put("apiVersion", "v1");
    ArrayNode groups = root.putArray("groups");
    for (String group : groups()) {
      if (!group.isEmpty()) {
        groups.add(apiGroupNode(group));
      }
    }
    return JSON.writeValueAsBytes(root);
  }

  /** {@code /apis/GROUP}, or null when no resource is served in that group. */
  public byte[] apiGroup(String group) {
    if (group.isEmpty() || versionsOf(group).isEmpty()) {
      return null;
    }
    ObjectNode node = apiGroupNode(group);
    node.put("kind", "APIGroup");
    node.put("apiVersion", "v1");
    return JSON.writeValueAsBytes(node);
  }

  /** {@code /api/v1} or {@code /apis/GROUP/VERSION}, or null when that group version is not served. */
  public byte[] apiResourceList(String group, String version) {
    List<ResourceInfo> served = servedIn(group, version);
    if (served.isEmpty()) {
      return null;
    }
    ObjectNode root = JSON.createObjectNode();
    root.put("kind", "APIResourceList");
    root.put("apiVersion", "v1");
    root.put("groupVersion", group.isEmpty() ? version : group + "/" + version);
    ArrayNode list = root.putArray("resources");
    for (ResourceInfo info : served) {
      ObjectNode resource = list.addObject();
      resource.put("name", info.resource());
      resource.put("singularName", info.singularName());
      resource.put("namespaced", info.namespaced());
      resource.put("kind", info.kind());
      strings(resource.putArray("verbs"), info.verbs());
      if (!info.shortNames().isEmpty()) {
        strings(resource.putArray("shortNames"), info.shortNames());
      }
      if (!info.categories().isEmpty()) {
        strings(resource.putArray("categories"), info.categories());
      }
      for (String subresource : info.subresources()) {
        SubresourceKinds.Subresource known = SubresourceKinds.of(subresource);
        ObjectNode sub = list.addObject();
        sub.put("name", info.resource() + "/" + subresource);
        sub.put("singularName", "");
        sub.put("namespaced", info.namespaced());
        if (known.group() != null && !known.group().equals(group)) {
          sub.put("group", known.group());
          sub.put("version", known.version());
        }
        sub.put("kind", SubresourceKinds.kind(subresource, info.kind()));
        strings(sub.putArray("verbs"), known.verbs());
      }
    }
    return JSON.writeValueAsBytes(root);
  }

  /**
   * The aggregated discovery document: for {@code /api} ({@code core}) the core group alone, for {@code /apis} every
   * named group; {@code discoveryVersion} is v2 or v2beta1 (their JSON is the same but for apiVersion).
   */
  public byte[] aggregated(boolean core, String discoveryVersion) {
    ObjectNode root = JSON.createObjectNode();
    root.put("kind", "APIGroupDiscoveryList");
    root.put("apiVersion", "apidiscovery.k8s.io/" + discoveryVersion);
    root.putObject("metadata");
    ArrayNode items = root.putArray("items");
    for (String group : groups()) {
      if (group.isEmpty() != core) {
        continue;
      }
      ObjectNode item = items.addObject();
      ObjectNode metadata = item.putObject("metadata");
      if (!group.isEmpty()) {
        metadata.put("name", group);
      }
      ArrayNode versions = item.putArray("versions");
      for (String version : versionsOf(group)) {
        ObjectNode versionNode = versions.addObject();
        versionNode.put("version", version);
        ArrayNode list = versionNode.putArray("resources");
        for (ResourceInfo info : servedIn(group, version)) {
          list.add(aggregatedResource(info));
        }
        versionNode.put("freshness", "Current");
      }
    }
    return JSON.writeValueAsBytes(root);
  }

  private static ObjectNode aggregatedResource(ResourceInfo info) {
    ObjectNode resource = JSON.createObjectNode();
    resource.put("resource", info.resource());
    gvk(resource.putObject("responseKind"), info.group(), info.version(), info.kind());
    resource.put("scope", info.namespaced() ? "Namespaced" : "Cluster");
    resource.put("singularResource", info.singularName());
    strings(resource.putArray("verbs"), info.verbs());
    if (!info.shortNames().isEmpty()) {
      strings(resource.putArray("shortNames"), info.shortNames());
    }
    if (!info.categories().isEmpty()) {
      strings(resource.putArray("categories"), info.categories());
    }
    if (!info.subresources().isEmpty()) {
      ArrayNode subresources = resource.putArray("subresources");
      for (String subresource : info.subresources()) {
        SubresourceKinds.Subresource known = SubresourceKinds.of(subresource);
        ObjectNode sub = subresources.addObject();
        sub.put("subresource", subresource);
        gvk(sub.putObject("responseKind"), known.group() == null ? info.group() : known.group(),
            known.version() == null ? info.version() : known.version(), SubresourceKinds.kind(subresource, info.kind()));
        strings(sub.putArray("verbs"), known.verbs());
      }
    }
    return resource;
  }

  private ObjectNode apiGroupNode(String group) {
    ObjectNode node = JSON.createObjectNode();
    node.put("name", group);
    ArrayNode versions = node.putArray("versions");
    List<String> served = versionsOf(group);
    for (String version : served) {
      ObjectNode v = versions.addObject();
      v.put("groupVersion", group + "/" + version);
      v.put("version", version);
    }
    ObjectNode preferred = node.putObject("preferredVersion");
    preferred.put("groupVersion", group + "/" + served.get(0));
    preferred.put("version", served.get(0));
    return node;
  }

  /** Groups in order of first appearance, the core group first. */
  private List<String> groups() {
    Set<String> groups = new LinkedHashSet<>();
    resources.stream().filter(r -> r.group().isEmpty()).findAny().ifPresent(r -> groups.add(""));
    resources.forEach(r -> groups.add(r.group()));
    return new ArrayList<>(groups);
  }

  /** A group's versions, preferred (Kubernetes version priority: v1 > v1beta1 > v1alpha1...) first. */
  List<String> versionsOf(String group) {
    Set<String> versions = new LinkedHashSet<>();
    resources.stream().filter(r -> r.group().equals(group)).forEach(r -> versions.add(r.version()));
    List<String> sorted = new ArrayList<>(versions);
    sorted.sort(Comparator.comparing(KubeVersionPriority::of));
    return sorted;
  }

  private List<ResourceInfo> servedIn(String group, String version) {
    Map<String, ResourceInfo> byName = new LinkedHashMap<>();
    resources.stream().filter(r -> r.group().equals(group) && r.version().equals(version))
        .forEach(r -> byName.putIfAbsent(r.resource(), r));
    return new ArrayList<>(byName.values());
  }

  private static void gvk(ObjectNode node, String group, String version, String kind) {
    node.put("group", group);
    node.put("version", version);
    node.put("kind", kind);
  }

  private static void strings(ArrayNode array, List<String> values) {
    values.forEach(array::add);
  }
}
