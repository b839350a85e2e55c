package dev.tugboat.control.apiserver.resources;

import dev.tugboat.control.apiserver.resources.validation.FieldError;
import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A request that failed as Kubernetes would fail it: the HTTP code, the {@code reason} and message of a
 * {@code metav1.Status}, and its details. Thrown anywhere in the resource layer and turned into the response body.
 */
public final class StatusError extends RuntimeException {

  private final int code;
  private final String reason;
  private final ObjectNode details;

  public StatusError(int code, String reason, String message, ObjectNode details) {
    super(message, null, false, false);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  public int code() {
    return code;
  }

  public String reason() {
    return reason;
  }

  /** The {@code Status} object, as sent in a response body or a watch ERROR event. */
  public ObjectNode toStatus() {
    ObjectNode status = JsonNodeFactory.instance.objectNode();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Failure");
    status.put("message", getMessage());
    status.put("reason", reason);
    if (details != null) {
      status.set("details", details);
    }
    status.put("code", code);
    return status;
  }

  /** {@code pods} for the core group, {@code deployments.apps} otherwise: how Kubernetes names a resource in errors. */
  public static String groupResource(String group, String resource) {
    return group == null || group.isEmpty() ? resource : resource + "." + group;
  }

  private static ObjectNode details(String group, String kind, String name) {
    ObjectNode details = JsonNodeFactory.instance.objectNode();
    if (name != null) {
      details.put("name", name);
    }
    if (group != null && !group.isEmpty()) {
      details.put("group", group);
    }
    details.put("kind", kind);
    return details;
  }

  public static StatusError notFound(String group, String resource, String name) {
    return new StatusError(404, "NotFound", groupResource(group, resource) + " \"" + name + "\" not found",
        details(group, resource, name));
  }

  public static StatusError alreadyExists(String group, String resource, String name) {
    return new StatusError(409, "AlreadyExists", groupResource(group, resource) + " \"" + name + "\" already exists",
        details(group, resource, name));
  }

  public static StatusError conflict(String group, String resource, String name, String why) {
    return new StatusError(409, "Conflict",
        "Operation cannot be fulfilled on " + groupResource(group, resource) + " \"" + name + "\": " + why,
        details(group, resource, name));
  }

  public static final String MODIFIED =
      "the object has been modified; please apply your changes to the latest version and try again";

  public static StatusError modified(String group, String resource, String name) {
    return conflict(group, resource, name, MODIFIED);
  }

  /** 422 with one cause per field error, worded as Kubernetes' {@code NewInvalid}. */
  public static StatusError invalid(String group, String kind, String name, List<FieldError> errors) {
    ObjectNode details = details(group, kind, name);
    ArrayNode causes = details.putArray("causes");
    StringBuilder message = new StringBuilder(kind).append(" \"").append(name).append("\" is invalid: ");
    if (errors.size() > 1) {
      message.append('[');
    }
    for (int i = 0; i < errors.size(); i++) {
      FieldError error = errors.get(i);
      ObjectNode cause = causes.addObject();
      cause.put("reason", error.type().reason());
      cause.put("message", error.messageWithoutField());
      cause.put("field", error.field());
      if (i > 0) {
        message.append(", ");
      }
      message.append(error);
    }
    if (errors.size() > 1) {
      message.append(']');
    }
    return new StatusError(422, "Invalid", message.toString(), details);
  }

  public static StatusError badRequest(String message) {
    return new StatusError(400, "BadRequest", message, null);
  }

  public static StatusError gone(String message) {
    return new StatusError(410, "Expired", message, null);
  }

  public static StatusError forbidden(String group, String resource, String name, String message) {
    return new StatusError(403, "Forbidden", message, details(group, resource, name));
  }

  public static StatusError methodNotAllowed(String message) {
    return new StatusError(405, "MethodNotAllowed", message, null);
  }

  public static StatusError unsupportedMediaType(String message) {
    return new StatusError(415, "UnsupportedMediaType", message, null);
  }

  public static StatusError notAcceptable(String message) {
    return new StatusError(406, "NotAcceptable", message, null);
  }

  public static StatusError serviceUnavailable(String message) {
    return new StatusError(503, "ServiceUnavailable", message, null);
  }

  public static StatusError timeout(String message) {
    return new StatusError(504, "Timeout", message, null);
  }

  public static StatusError internal(String message) {
    return new StatusError(500, "InternalError", "Internal error occurred: " + message, null);
  }
}
