package dev.tugboat.control.apiserver;

/** A complete answer: HTTP status, media type and body (a Kubernetes object, list, Table or Status). */
public record ApiResponse(int status, String contentType, byte[] body) {}
