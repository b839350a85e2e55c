package dev.tugboat.control.apiserver.discovery;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Version;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * OpenAPI schemas read off the fabric8 model classes (the object model the whole API server uses): each
 * {@code @JsonProperty} field becomes a property of the JSON type Kubernetes gives it, nested model classes become
 * schemas of their own. fabric8 carries no field descriptions, so the schemas have none.
 */
final class ModelSchemas {

  private static final String SERVICE_FILE = "META-INF/services/io.fabric8.kubernetes.api.model.KubernetesResource";
  private static final Set<String> MODEL_PACKAGE_PREFIXES = Set.of("io.fabric8.kubernetes.api.model");
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

  /** The properties of a model class, adding the schemas of the classes they refer to into {@code schemas}. */
  static ObjectNode properties(Class<?> type, ObjectNode schemas) {
    ObjectNode properties = JsonMapper.shared().createObjectNode();
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field field : c.getDeclaredFields()) {
        JsonProperty json = field.getAnnotation(JsonProperty.class);
        if (json == null || Modifier.isStatic(field.getModifiers()) || properties.has(json.value())) {
          continue;
        }
        properties.set(json.value(), schemaOf(field.getGenericType(), schemas));
      }
    }
    return properties;
  }

  static String schemaName(Class<?> type) {
    return type.getName();
  }

  private static ObjectNode schemaOf(Type type, ObjectNode schemas) {
    ObjectNode schema = JsonMapper.shared().createObjectNode();
    if (type instanceof ParameterizedType parameterized && parameterized.getRawType() instanceof Class<?> raw) {
      Type[] arguments = parameterized.getActualTypeArguments();
      if (List.class.isAssignableFrom(raw)) {
        schema.put("type", "array");
        schema.set("items", schemaOf(arguments[0], schemas));
        return schema;
      }
      if (Map.class.isAssignableFrom(raw)) {
        schema.put("type", "object");
        schema.set("additionalProperties", schemaOf(arguments[1], schemas));
        return schema;
      }
      return schemaOf(raw, schemas);
    }
    if (!(type instanceof Class<?> c)) {
      schema.put("x-kubernetes-preserve-unknown-fields", true);
      return schema;
    }
    if (c == String.class || c.isEnum() || c.getSimpleName().equals("Quantity")) {
      schema.put("type", "string");
    } else if (c == Integer.class || c == int.class || c == Short.class || c == short.class) {
      schema.put("type", "integer");
      schema.put("format", "int32");
    } else if (c == Long.class || c == long.class) {
      schema.put("type", "integer");
      schema.put("format", "int64");
    } else if (c == Boolean.class || c == boolean.class) {
      schema.put("type", "boolean");
    } else if (c == Double.class || c == double.class || c == Float.class || c == float.class) {
      schema.put("type", "number");
    } else if (c.getSimpleName().equals("IntOrString")) {
      schema.put("x-kubernetes-int-or-string", true);
    } else if (isModel(c)) {
      String name = schemaName(c);
      if (!schemas.has(name)) {
        ObjectNode nested = schemas.putObject(name);
        nested.put("type", "object");
        nested.set("properties", properties(c, schemas));
      }
      schema.putArray("allOf").addObject().put("$ref", "#/components/schemas/" + name);
      schema.putObject("default");
    } else {
      schema.put("type", "object");
      schema.put("x-kubernetes-preserve-unknown-fields", true);
    }
    return schema;
  }

  private static boolean isModel(Class<?> c) {
    if (c.getSimpleName().equals("AnyType") || c.getSimpleName().equals("RawExtension")) {
      return false;
    }
    String name = c.getName();
    return MODEL_PACKAGE_PREFIXES.stream().anyMatch(name::startsWith) && !c.isInterface();
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
