/**
 * The API server's side of the pod subresources a node agent serves (log, exec, attach): where the kubelet of a
 * pod's node is, which path it serves the request on, and the credentials the API server presents to it.
 */
package dev.tugboat.control.apiserver.kubelet;
