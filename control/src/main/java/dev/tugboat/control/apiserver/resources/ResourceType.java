package dev.tugboat.control.apiserver.resources;

import dev.tugboat.control.apiserver.ResourceInfo;
import java.nio.charset.StandardCharsets;

/**
 * One served resource: what discovery says of it, where its objects live in the store, and the strategy that
 * defaults, validates and prints them.
 *
 * @param keyPrefix the store prefix of its objects, as etcd's {@code /registry/pods/}; objects live at
 *                  {@code prefix + namespace + "/" + name}, or {@code prefix + name} when cluster-scoped
 */
public record ResourceType(ResourceInfo info, String keyPrefix, ResourceStrategy strategy) {

  public String group() {
    return info.group();
  }

  public String resource() {
    return info.resource();
  }

  public String kind() {
    return info.kind();
  }

  public boolean namespaced() {
    return info.namespaced();
  }

  public String apiVersion() {
    return info.group().isEmpty() ? info.version() : info.group() + "/" + info.version();
  }

  public byte[] key(String namespace, String name) {
    String key = namespaced() ? keyPrefix + namespace + "/" + name : keyPrefix + name;
    return key.getBytes(StandardCharsets.UTF_8);
  }

  /** Every object in {@code namespace}, or every object at all when it is null or the resource is cluster-scoped. */
  public byte[] collectionPrefix(String namespace) {
    String prefix = namespaced() && namespace != null ? keyPrefix + namespace + "/" : keyPrefix;
    return prefix.getBytes(StandardCharsets.UTF_8);
  }

  public boolean hasSubresource(String subresource) {
    return info.subresources().contains(subresource);
  }
}
