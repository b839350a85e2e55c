package dev.tugboat.control.apiserver.resources;

import dev.tugboat.control.store.KeyValueStore;
import dev.tugboat.control.store.RangeRequest;
import dev.tugboat.control.store.RangeResponse;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kubernetes' NamespaceLifecycle admission: new objects go only into namespaces that exist and are not terminating
 * (events excepted, so the deletion itself can be reported).
 */
public final class NamespaceLifecycle {

  private final KeyValueStore store;
  private final String namespacePrefix;

  public NamespaceLifecycle(KeyValueStore store, String namespacePrefix) {
    this.store = store;
    this.namespacePrefix = namespacePrefix;
  }

  public void admitCreate(ResourceType type, String namespace, String name) {
    RangeResponse response = StoreCalls.await(store.range(
        RangeRequest.key((namespacePrefix + namespace).getBytes(StandardCharsets.UTF_8))));
    if (response.kvs().isEmpty()) {
      throw StatusError.notFound("", "namespaces", namespace);
    }
    if (type.kind().equals("Event")) {
      return;
    }
    ObjectNode ns = Codec.parseStored(response.kvs().get(0).value());
    if (Tree.isPresent(Tree.at(ns, "metadata", "deletionTimestamp"))
        || "Terminating".equals(Tree.text(ns, "status", "phase"))) {
      throw StatusError.forbidden(type.group(), type.resource(), name,
          StatusError.groupResource(type.group(), type.resource()) + " \"" + (name == null ? "" : name)
              + "\" is forbidden: unable to create new content in namespace " + namespace
              + " because it is being terminated");
    }
  }
}
