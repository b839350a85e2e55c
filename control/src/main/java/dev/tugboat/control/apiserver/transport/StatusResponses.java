package dev.tugboat.control.apiserver.transport;

import dev.tugboat.control.apiserver.ApiResponse;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The Kubernetes Status objects the transport itself answers with (metav1.Status, status Failure). */
final class StatusResponses {

  static final String JSON = "application/json";
  static final String NOT_FOUND_MESSAGE = "the server could not find the requested resource";

  private StatusResponses() {}

  static ApiResponse unauthorized() {
    return failure(401, "Unauthorized", "Unauthorized", null);
  }

  static ApiResponse forbidden(String message, String group, String resource, String name) {
    ObjectNode details = JsonMapper.shared().createObjectNode();
    if (name != null) {
      details.put("name", name);
    }
    if (group != null) {
      details.put("group", group);
    }
    if (resource != null) {
      details.put("kind", resource);
    }
    return failure(403, "Forbidden", message, details);
  }

  static ApiResponse notFound() {
    return failure(404, "NotFound", NOT_FOUND_MESSAGE, JsonMapper.shared().createObjectNode());
  }

  static ApiResponse methodNotAllowed(String verb, String resource) {
    return failure(405, "MethodNotAllowed", verb + " is not supported on resources of kind \"" + resource + "\"", null);
  }

  static ApiResponse requestEntityTooLarge(long limit) {
    return failure(413, "RequestEntityTooLarge", "Request entity too large: limit is " + limit, null);
  }

  static ApiResponse unsupportedMediaType(String cause) {
    return failure(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media "
        + "types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (" + cause + ")", null);
  }

  static ApiResponse internalError(String message) {
    return failure(500, "InternalError", "Internal error occurred: " + message, null);
  }

  static ApiResponse failure(int code, String reason, String message, ObjectNode details) {
    ObjectNode status = JsonMapper.shared().createObjectNode();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Failure");
    status.put("message", message);
    status.put("reason", reason);
    if (details != null) {
      status.set("details", details);
    }
    status.put("code", code);
    return new ApiResponse(code, JSON, JsonMapper.shared().writeValueAsBytes(status));
  }
}
