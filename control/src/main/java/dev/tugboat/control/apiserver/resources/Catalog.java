package dev.tugboat.control.apiserver.resources;

import dev.tugboat.control.apiserver.ResourceInfo;
import dev.tugboat.control.apiserver.resources.kinds.ConfigDataStrategy;
import dev.tugboat.control.apiserver.resources.kinds.EventStrategy;
import dev.tugboat.control.apiserver.resources.kinds.NamespaceStrategy;
import dev.tugboat.control.apiserver.resources.kinds.NetworkEndpointsStrategy;
import dev.tugboat.control.apiserver.resources.kinds.NodeStrategy;
import dev.tugboat.control.apiserver.resources.kinds.PlainStrategy;
import dev.tugboat.control.apiserver.resources.kinds.PodStrategy;
import dev.tugboat.control.apiserver.resources.kinds.ServiceAllocator;
import dev.tugboat.control.apiserver.resources.kinds.ServiceStrategy;
import dev.tugboat.control.apiserver.resources.kinds.WorkloadStrategy;
import java.util.List;

/** Every resource this API server serves, with its store prefix (etcd's layout) and strategy. */
final class Catalog {

  static final List<String> VERBS = List.of("create", "delete", "deletecollection", "get", "list", "patch", "update",
      "watch");

  private Catalog() {}

  static List<ResourceType> types(ServiceAllocator serviceAllocator) {
    return List.of(
        type("", "v1", "namespaces", "namespace", "Namespace", false, List.of("ns"), List.of(),
            List.of("status", "finalize"), "/registry/namespaces/", new NamespaceStrategy()),
        type("", "v1", "pods", "pod", "Pod", true, List.of("po"), List.of("all"),
            List.of("status", "binding", "eviction", "log", "exec", "attach", "portforward"), "/registry/pods/",
            new PodStrategy()),
        type("", "v1", "nodes", "node", "Node", false, List.of("no"), List.of(), List.of("status"),
            "/registry/minions/", new NodeStrategy()),
        type("", "v1", "services", "service", "Service", true, List.of("svc"), List.of("all"), List.of("status"),
            "/registry/services/specs/", new ServiceStrategy(serviceAllocator)),
        type("", "v1", "endpoints", "endpoints", "Endpoints", true, List.of("ep"), List.of(), List.of(),
            "/registry/services/endpoints/", NetworkEndpointsStrategy.endpoints()),
        type("", "v1", "configmaps", "configmap", "ConfigMap", true, List.of("cm"), List.of(), List.of(),
            "/registry/configmaps/", ConfigDataStrategy.configMap()),
        type("", "v1", "secrets", "secret", "Secret", true, List.of(), List.of(), List.of(),
            "/registry/secrets/", ConfigDataStrategy.secret()),
        type("", "v1", "events", "event", "Event", true, List.of("ev"), List.of(), List.of(),
            "/registry/events/", new EventStrategy()),
        type("", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", true, List.of("sa"), List.of(),
            List.of(), "/registry/serviceaccounts/", PlainStrategy.serviceAccount()),
        type("apps", "v1", "deployments", "deployment", "Deployment", true, List.of("deploy"), List.of("all"),
            List.of("status", "scale"), "/registry/deployments/", WorkloadStrategy.deployment()),
        type("apps", "v1", "replicasets", "replicaset", "ReplicaSet", true, List.of("rs"), List.of("all"),
            List.of("status", "scale"), "/registry/replicasets/", WorkloadStrategy.replicaSet()),
        type("coordination.k8s.io", "v1", "leases", "lease", "Lease", true, List.of(), List.of(), List.of(),
            "/registry/leases/", PlainStrategy.lease()),
        type("discovery.k8s.io", "v1", "endpointslices", "endpointslice", "EndpointSlice", true, List.of(),
            List.of(), List.of(), "/registry/endpointslices/", NetworkEndpointsStrategy.endpointSlice()));
  }

  private static ResourceType type(String group, String version, String resource, String singular, String kind,
                                   boolean namespaced, List<String> shortNames, List<String> categories,
                                   List<String> subresources, String keyPrefix, ResourceStrategy strategy) {
    return new ResourceType(new ResourceInfo(group, version, resource, singular, kind, namespaced, VERBS,
        shortNames, categories, subresources), keyPrefix, strategy);
  }
}
