package dev.tugboat.control.apiserver.resources;

import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Typed reads of the metadata fields the registry decides on. */
record ObjectMetaView(ObjectNode object) {

  JsonNode metadata() {
    return object.path("metadata");
  }

  String deletionTimestamp() {
    JsonNode value = metadata().path("deletionTimestamp");
    return value.isString() ? value.asString() : null;
  }

  Long deletionGracePeriodSeconds() {
    JsonNode value = metadata().path("deletionGracePeriodSeconds");
    return value.isNumber() ? value.asLong() : null;
  }

  List<String> finalizers() {
    return Registry.strings(metadata().get("finalizers"));
  }
}
