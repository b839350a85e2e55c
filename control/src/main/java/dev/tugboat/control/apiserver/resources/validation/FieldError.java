package dev.tugboat.control.apiserver.resources.validation;

import tools.jackson.databind.JsonNode;

/**
 * One invalid field, as Kubernetes' {@code field.Error}: {@code spec.containers[0].image: Required value} or
 * {@code metadata.name: Invalid value: "A": a lowercase RFC 1123 subdomain must ...}.
 */
public record FieldError(Type type, String field, String badValue, String detail) {

  public enum Type {
    REQUIRED("FieldValueRequired", "Required value"),
    INVALID("FieldValueInvalid", "Invalid value"),
    DUPLICATE("FieldValueDuplicate", "Duplicate value"),
    NOT_SUPPORTED("FieldValueNotSupported", "Unsupported value"),
    FORBIDDEN("FieldValueForbidden", "Forbidden"),
    TOO_LONG("FieldValueTooLong", "Too long"),
    NOT_FOUND("FieldValueNotFound", "Not found");

    private final String reason;
    private final String text;

    Type(String reason, String text) {
      this.reason = reason;
      this.text = text;
    }

    public String reason() {
      return reason;
    }
  }

  public static FieldError required(String field, String detail) {
    return new FieldError(Type.REQUIRED, field, null, detail);
  }

  public static FieldError invalid(String field, JsonNode value, String detail) {
    return new FieldError(Type.INVALID, field, quote(value), detail);
  }

  public static FieldError invalid(String field, String value, String detail) {
    return new FieldError(Type.INVALID, field, value == null ? "null" : "\"" + value + "\"", detail);
  }

  public static FieldError invalid(String field, long value, String detail) {
    return new FieldError(Type.INVALID, field, Long.toString(value), detail);
  }

  public static FieldError duplicate(String field, String value) {
    return new FieldError(Type.DUPLICATE, field, "\"" + value + "\"", null);
  }

  public static FieldError notFound(String field, String value) {
    return new FieldError(Type.NOT_FOUND, field, "\"" + value + "\"", null);
  }

  public static FieldError forbidden(String field, String detail) {
    return new FieldError(Type.FORBIDDEN, field, null, detail);
  }

  public static FieldError notSupported(String field, String value, java.util.List<String> supported) {
    StringBuilder detail = new StringBuilder("supported values: ");
    for (int i = 0; i < supported.size(); i++) {
      detail.append(i == 0 ? "" : ", ").append('"').append(supported.get(i)).append('"');
    }
    return new FieldError(Type.NOT_SUPPORTED, field, "\"" + value + "\"", detail.toString());
  }

  private static String quote(JsonNode value) {
    if (value == null || value.isMissingNode() || value.isNull()) {
      return "null";
    }
    return value.isString() ? "\"" + value.asString() + "\"" : value.toString();
  }

  /** The message without the leading field path, as in a {@code StatusCause}. */
  public String messageWithoutField() {
    StringBuilder message = new StringBuilder(type.text);
    if (badValue != null && type != Type.REQUIRED && type != Type.FORBIDDEN) {
      message.append(": ").append(badValue);
    }
    if (detail != null && !detail.isEmpty()) {
      message.append(": ").append(detail);
    }
    return message.toString();
  }

  @Override
  public String toString() {
    return field + ": " + messageWithoutField();
  }
}
