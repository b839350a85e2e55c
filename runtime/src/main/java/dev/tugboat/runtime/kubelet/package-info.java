/**
 * The node agent (Kubernetes' kubelet for Tugboat): registers its Node, posts its status and renews its Lease
 * ({@link dev.tugboat.runtime.kubelet.NodeHeartbeat}), runs the pods bound to it with the container runtime and image
 * store of this module ({@link dev.tugboat.runtime.kubelet.PodSync}, a level-triggered loop, with readiness and
 * liveness probes), and serves kubelet's containerLogs, exec and attach over HTTPS to the API server. It reaches
 * the control plane only through the Kubernetes API (fabric8 client and informers).
 */
package dev.tugboat.runtime.kubelet;
