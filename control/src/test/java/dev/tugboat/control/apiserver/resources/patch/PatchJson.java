package dev.tugboat.control.apiserver.resources.patch;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Tests write JSON with single quotes for readability. */
final class PatchJson {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private PatchJson() {}

  static JsonNode j(String text) {
    return JSON.readTree(text.replace('\'', '"'));
  }
}
