package dev.tugboat.control.apiserver.resources.patch;

import java.util.HashMap;
import java.util.Map;

/**
 * The patch metadata strategic merge patch needs (the {@code patchStrategy}/{@code patchMergeKey} tags of the
 * Kubernetes Go types): which lists merge, and by which key. A list not named here is atomic (replaced whole).
 * Fields are addressed by their names from the object root, array levels left out: {@code spec.containers.ports}.
 */
public final class PatchSchema {

  /** A list that merges: lists of objects by {@code mergeKey}, lists of scalars ({@code mergeKey} "") as sets. */
  public record MergeList(String mergeKey) {}

  public static final PatchSchema EMPTY = new PatchSchema(Map.of());

  private final Map<String, MergeList> lists;

  private PatchSchema(Map<String, MergeList> lists) {
    this.lists = lists;
  }

  /** How the list at {@code path} merges, or null when it is replaced whole. */
  public MergeList list(String path) {
    return lists.get(path);
  }

  public static PatchSchema forKind(String kind) {
    Map<String, MergeList> lists = new HashMap<>();
    objectMeta(lists, "metadata");
    switch (kind) {
      case "Pod" -> {
        podSpec(lists, "spec");
        conditions(lists, "status");
        lists.put("status.podIPs", new MergeList("ip"));
        lists.put("status.hostIPs", new MergeList("ip"));
      }
      case "Deployment", "ReplicaSet" -> {
        objectMeta(lists, "spec.template.metadata");
        podSpec(lists, "spec.template.spec");
        conditions(lists, "status");
      }
      case "Service" -> {
        lists.put("spec.ports", new MergeList("port"));
        conditions(lists, "status");
      }
      case "Node" -> {
        lists.put("spec.podCIDRs", new MergeList(""));
        conditions(lists, "status");
        lists.put("status.addresses", new MergeList("type"));
      }
      case "Namespace" -> conditions(lists, "status");
      default -> {
      }
    }
    return new PatchSchema(Map.copyOf(lists));
  }

  private static void objectMeta(Map<String, MergeList> lists, String at) {
    lists.put(at + ".finalizers", new MergeList(""));
    lists.put(at + ".ownerReferences", new MergeList("uid"));
  }

  private static void conditions(Map<String, MergeList> lists, String status) {
    lists.put(status + ".conditions", new MergeList("type"));
  }

  private static void podSpec(Map<String, MergeList> lists, String at) {
    for (String containers : new String[] {"containers", "initContainers", "ephemeralContainers"}) {
      String c = at + "." + containers;
      lists.put(c, new MergeList("name"));
      lists.put(c + ".ports", new MergeList("containerPort"));
      lists.put(c + ".env", new MergeList("name"));
      lists.put(c + ".volumeMounts", new MergeList("mountPath"));
      lists.put(c + ".volumeDevices", new MergeList("devicePath"));
    }
    lists.put(at + ".volumes", new MergeList("name"));
    lists.put(at + ".imagePullSecrets", new MergeList("name"));
    lists.put(at + ".hostAliases", new MergeList("ip"));
    lists.put(at + ".topologySpreadConstraints", new MergeList("topologyKey"));
    lists.put(at + ".resourceClaims", new MergeList("name"));
    lists.put(at + ".schedulingGates", new MergeList("name"));
  }
}
