/**
 * The resource layer of the API server: Kubernetes storage semantics over the etcd-style store.
 *
 * <p>{@link dev.tugboat.control.apiserver.resources.Resources#over} is the only entry point; it implements
 * {@link dev.tugboat.control.apiserver.ResourceApi} for the transport. Inside, one
 * {@link dev.tugboat.control.apiserver.resources.Registry} per resource does the generic work (create, update, patch,
 * delete with finalizers and grace, lists with continue tokens), a
 * {@link dev.tugboat.control.apiserver.resources.ResourceStrategy} per kind (package {@code kinds}) supplies
 * defaults and validation, and a {@link dev.tugboat.control.apiserver.resources.watchcache.WatchCache} per resource
 * turns one store watch into every API watch.
 *
 * <p>Store layout, as etcd holds it for kube-apiserver: objects are JSON (without {@code resourceVersion}, which is
 * the key's mod revision) under {@code /registry/<resource>/<namespace>/<name>} or {@code /registry/<resource>/<name>};
 * services live under {@code /registry/services/specs/}, endpoints under {@code /registry/services/endpoints/},
 * nodes under {@code /registry/minions/}. Allocated cluster IPs and node ports are keys of their own
 * ({@code /registry/tugboat/serviceips/<ip>}, {@code /registry/tugboat/servicenodeports/<port>}) written in the
 * service's own transactions.
 *
 * <p>Objects are JSON trees ({@code ObjectNode}) throughout; the fabric8 types only check that a written object
 * decodes (a field of the wrong type is a 400, as Kubernetes' decoder answers).
 */
package dev.tugboat.control.apiserver.resources;
