package dev.tugboat.control.apiserver;

import java.util.List;
import java.util.Map;

/**
 * One Kubernetes API call after routing and authentication: the transport turns the HTTP request into this, and the
 * resource layer answers it without knowing about HTTP.
 *
 * @param verb        the Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection
 * @param group       API group, "" for core
 * @param namespace   null for cluster-scoped resources and for lists across all namespaces
 * @param name        null for collection verbs
 * @param subresource null, or status, scale, binding, log, exec...
 * @param query       decoded query parameters (labelSelector, fieldSelector, resourceVersion, limit, continue,
 *                    dryRun, watch, allowWatchBookmarks, timeoutSeconds...)
 * @param contentType the request body's media type (for patch it selects the patch type)
 * @param accept      the Accept header, which may ask for a server-side Table
 */
public record ApiRequest(String verb, String group, String version, String resource, String subresource,
                         String namespace, String name, Map<String, List<String>> query,
                         String contentType, String accept, byte[] body, UserInfo user) {

  public String queryParam(String key) {
    List<String> values = query.get(key);
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
