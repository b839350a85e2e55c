/**
 * The Kubernetes API over HTTPS: Netty (epoll) with TLS and ALPN (HTTP/2 and HTTP/1.1 on one port),
 * {@link dev.tugboat.control.apiserver.transport.ApiDispatcher} (authenticate, route the REST path, authorize, serve
 * discovery/OpenAPI/health or hand over to the {@link dev.tugboat.control.apiserver.ResourceApi}), watches as
 * chunked HTTP/1.1, HTTP/2 DATA frames or WebSocket messages with a bound on what a slow client may leave unread,
 * and protobuf request bodies read as JSON. {@link dev.tugboat.control.apiserver.transport.KubeApiServer} puts the
 * pieces together over a data directory.
 */
package dev.tugboat.control.apiserver.transport;
