package dev.tugboat.control.apiserver.resources.table;

import dev.tugboat.control.apiserver.resources.Codec;
import dev.tugboat.control.apiserver.resources.ResourceType;
import dev.tugboat.control.apiserver.resources.Timestamps;
import dev.tugboat.control.apiserver.resources.watchcache.EventEncoder;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Server-side printing ({@code meta.k8s.io/v1 Table}): the columns {@code kubectl get} shows for each kind, the
 * same as Kubernetes' printers, with the object attached as PartialObjectMetadata, whole, or not at all.
 */
public final class TableConvertor {

  /** One column; {@code priority} 1 columns show only with {@code -o wide}. */
  public record Column(String name, String type, String format, String description, int priority,
                       BiFunction<ObjectNode, Instant, Object> cell) {}

  private final List<Column> columns;

  TableConvertor(List<Column> columns) {
    this.columns = columns;
  }

  public static TableConvertor forType(ResourceType type) {
    return new TableConvertor(Printers.columns(type.kind()));
  }

  public List<Column> columns() {
    return columns;
  }

  /** A Table of the items of {@code list} (a list object), keeping its resourceVersion and continue token. */
  public ObjectNode table(ObjectNode list, String includeObject, Instant now) {
    ObjectNode table = shell();
    ObjectNode metadata = table.putObject("metadata");
    JsonNode listMetadata = list.path("metadata");
    for (String field : new String[] {"resourceVersion", "continue", "remainingItemCount"}) {
      if (listMetadata.has(field)) {
        metadata.set(field, listMetadata.get(field));
      }
    }
    definitions(table);
    ArrayNode rows = table.putArray("rows");
    for (JsonNode item : list.path("items")) {
      rows.add(row((ObjectNode) item, includeObject, now));
    }
    return table;
  }

  private ObjectNode shell() {
    ObjectNode table = Codec.NODES.objectNode();
    table.put("kind", "Table");
    table.put("apiVersion", "meta.k8s.io/v1");
    return table;
  }

  private void definitions(ObjectNode table) {
    ArrayNode definitions = table.putArray("columnDefinitions");
    for (Column column : columns) {
      ObjectNode definition = definitions.addObject();
      definition.put("name", column.name());
      definition.put("type", column.type());
      definition.put("format", column.format());
      definition.put("description", column.description());
      definition.put("priority", column.priority());
    }
  }

  private ObjectNode row(ObjectNode object, String includeObject, Instant now) {
    ObjectNode row = Codec.NODES.objectNode();
    ArrayNode cells = row.putArray("cells");
    for (Column column : columns) {
      Object value = column.cell().apply(object, now);
      if (value instanceof Number number) {
        cells.add(number.longValue());
      } else {
        cells.add(value == null ? "" : value.toString());
      }
    }
    switch (includeObject) {
      case "Object" -> row.set("object", object);
      case "None" -> { }
      default -> {
        ObjectNode partial = row.putObject("object");
        partial.put("kind", "PartialObjectMetadata");
        partial.put("apiVersion", "meta.k8s.io/v1");
        partial.set("metadata", object.path("metadata"));
      }
    }
    return row;
  }

  /** Watch events whose object is a one-row Table, as {@code kubectl get -w} asks for. */
  public EventEncoder watchEncoder(String includeObject, Clock clock) {
    return (type, object, objectJson) -> {
      ObjectNode table = shell();
      table.putObject("metadata").put("resourceVersion",
          object.path("metadata").path("resourceVersion").asString(""));
      definitions(table);
      table.putArray("rows").add(row(object, includeObject, clock.instant()));
      return EventEncoder.wrap(type, Codec.encode(table));
    };
  }

  static String age(ObjectNode object, Instant now) {
    return Durations.since(Timestamps.parse(object.path("metadata").path("creationTimestamp").asString(null)), now);
  }

  static List<String> strings(JsonNode array, String field) {
    List<String> values = new ArrayList<>();
    for (JsonNode item : array) {
      values.add(field == null ? item.asString("") : item.path(field).asString(""));
    }
    return values;
  }
}
