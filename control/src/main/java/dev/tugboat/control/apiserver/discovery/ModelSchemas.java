package dev.tugboat.control.apiserver.discovery;

import dev.tugboat.control.apiserver.resources.FieldShape;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Version;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * OpenAPI schemas of the fabric8 model classes, from the {@link FieldShape} the API server checks objects against:
 * each field becomes a property of the JSON type Kubernetes gives it, nested structs become schemas of their own.
 * fabric8 carries no field descriptions, so the schemas have none.
 */
final class ModelSchemas {

  private static final String SERVICE_FILE = "META-INF/services/io.fabric8.kubernetes.api.model.KubernetesResource";
  private static volatile Map<String, List<String>> classNamesBySimpleName;

  private ModelSchemas() {}

  /** The fabric8 class of a kind served in group/version, or null when fabric8 has none. */
  static Class<?> modelClass(String group, String version, String kind) {
    for (String name : index().getOrDefault(kind, List.of())) {
      try {
        Class<?> type = Class.forName(name, false, ModelSchemas.class.getClassLoader());
        Group g = type.getAnnotation(Group.class);
        Version v = type.getAnnotation(Version.class);
        if (v != null && v.value().equals(version) && (g == null ? "" : g.value()).equals(group)) {
          return type;
        }
      } catch (ClassNotFoundException | LinkageError e) {
        // A listed class that does not load is simply not a candidate.
      }
    }
    return null;
  }

  /** The properties of a model class, adding the schemas of the structs they refer to into {@code schemas}. */
  static ObjectNode properties(Class<?> type, ObjectNode schemas) {
    // The same reading of the class the create path checks objects against, so the schema a client reads and the
    // check the server makes cannot disagree.
    return properties(FieldShape.of(type), schemas);
  }

  private static ObjectNode properties(FieldShape.Struct struct, ObjectNode schemas) {
    ObjectNode properties = JsonMapper.shared().createObjectNode();
    struct.properties().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(property -> properties.set(property.getKey(), schemaOf(property.getValue(), schemas)));
    return properties;
  }

  static String schemaName(Class<?> type) {
    return type.getName();
  }

  private static ObjectNode schemaOf(FieldShape shape, ObjectNode schemas) {
    ObjectNode schema = JsonMapper.shared().createObjectNode();
    if (shape instanceof FieldShape.Struct struct) {
      String name = schemaName(struct.model());
      if (!schemas.has(name)) {
        ObjectNode nested = schemas.putObject(name);
        nested.put("type", "object");
        nested.set("properties", properties(struct, schemas));
      }
      schema.putArray("allOf").addObject().put("$ref", "#/components/schemas/" + name);
      schema.putObject("default");
    } else if (shape instanceof FieldShape.ListOf list) {
      schema.put("type", "array");
      schema.set("items", schemaOf(list.item(), schemas));
    } else if (shape instanceof FieldShape.MapOf map) {
      schema.put("type", "object");
      schema.set("additionalProperties", schemaOf(map.value(), schemas));
    } else if (shape instanceof FieldShape.Timestamp || shape == FieldShape.MICRO_TIME) {
      // Kubernetes' Time and MicroTime: RFC 3339 strings
      schema.put("type", "string").put("format", "date-time");
    } else if (shape == FieldShape.STRING || shape == FieldShape.QUANTITY) {
      schema.put("type", "string");
    } else if (shape == FieldShape.INT32) {
      schema.put("type", "integer").put("format", "int32");
    } else if (shape == FieldShape.INT64) {
      schema.put("type", "integer").put("format", "int64");
    } else if (shape == FieldShape.BOOL) {
      schema.put("type", "boolean");
    } else if (shape == FieldShape.FLOAT64) {
      schema.put("type", "number").put("format", "double");
    } else if (shape == FieldShape.INT_OR_STRING) {
      schema.put("x-kubernetes-int-or-string", true);
    } else {
      schema.put("x-kubernetes-preserve-unknown-fields", true);
    }
    return schema;
  }

  /** fabric8 lists every model class per jar in a service file; index them by simple name once. */
  private static Map<String, List<String>> index() {
    Map<String, List<String>> index = classNamesBySimpleName;
    if (index != null) {
      return index;
    }
    index = new HashMap<>();
    try {
      Enumeration<URL> files = ModelSchemas.class.getClassLoader().getResources(SERVICE_FILE);
      while (files.hasMoreElements()) {
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(files.nextElement().openStream(), StandardCharsets.UTF_8))) {
          for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            String name = line.strip();
            if (!name.isEmpty() && !name.startsWith("#")) {
              index.computeIfAbsent(name.substring(name.lastIndexOf('.') + 1), k -> new ArrayList<>()).add(name);
            }
          }
        }
      }
    } catch (IOException e) {
      // Without the list, schemas fall back to the generic form.
    }
    classNamesBySimpleName = index;
    return index;
  }
}
