package dev.tugboat.control.apiserver.resources;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

final class TestJson {
  private TestJson() {}

  static List<String> names(JsonNode list) {
    List<String> names = new ArrayList<>();
    for (JsonNode item : list.path("items")) {
      names.add(item.path("metadata").path("name").asString());
    }
    return names;
  }
}
