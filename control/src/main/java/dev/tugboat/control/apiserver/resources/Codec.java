package dev.tugboat.control.apiserver.resources;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Bytes to JSON trees and back: request bodies (JSON or YAML), stored values, responses. */
public final class Codec {

  public static final JsonMapper JSON = JsonMapper.builder().build();
  public static final ObjectMapper YAML = YAMLMapper.builder().build();
  public static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Codec() {}

  /** A request body as a JSON object; 400 naming the problem when it is empty, malformed or not an object. */
  public static ObjectNode decodeBody(byte[] body, String contentType) {
    if (body == null || body.length == 0) {
      throw StatusError.badRequest("request body is empty: expected a JSON or YAML object");
    }
    boolean yaml = contentType != null && contentType.toLowerCase().contains("yaml");
    JsonNode tree;
    try {
      tree = (yaml ? YAML : JSON).readTree(body);
    } catch (JacksonException e) {
      throw StatusError.badRequest("request body is not valid " + (yaml ? "YAML" : "JSON") + ": "
          + e.getOriginalMessage() + locationOf(e));
    }
    if (tree == null || !tree.isObject()) {
      throw StatusError.badRequest("request body must be a " + (yaml ? "YAML mapping" : "JSON object") + ", not "
          + (tree == null || tree.isMissingNode() ? "nothing" : tree.getNodeType().toString().toLowerCase()));
    }
    return (ObjectNode) tree;
  }

  /** Any JSON value (for patches, which may be arrays). */
  public static JsonNode decodeJson(byte[] body, String what) {
    if (body == null || body.length == 0) {
      throw StatusError.badRequest(what + " is empty");
    }
    try {
      JsonNode tree = JSON.readTree(body);
      if (tree == null || tree.isMissingNode()) {
        throw StatusError.badRequest(what + " is empty");
      }
      return tree;
    } catch (JacksonException e) {
      throw StatusError.badRequest(what + " is not valid JSON: " + e.getOriginalMessage() + locationOf(e));
    }
  }

  private static String locationOf(JacksonException e) {
    return e.getLocation() == null ? ""
        : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
  }

  public static ObjectNode parseStored(byte[] value) {
    return (ObjectNode) JSON.readTree(value);
  }

  public static byte[] encode(JsonNode node) {
    return JSON.writeValueAsBytes(node);
  }
}
