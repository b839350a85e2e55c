package dev.tugboat.control.apiserver.resources;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tugboat.control.apiserver.resources.validation.Quantity;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The JSON a field of a typed (fabric8) model takes, read once off the model class, and the check of a decoded object
 * against it: the field types Kubernetes' Go decoder enforces (a string where a string goes, an integer that fits
 * where an int32 goes, an object where a struct goes...), without building the typed object. {@code null} fits any
 * field and unknown fields are left alone, as in Kubernetes. The OpenAPI schemas clients read are built from the
 * same reading, so what a client is told and what the server checks agree.
 *
 * <p>Checking a pod this way replaced decoding it into fabric8's {@code Pod} with Jackson's databind on every create
 * and update. Where the two differ, this follows Kubernetes: Jackson coerced a number or a boolean into a string field
 * and a numeric string into an integer field, which Kubernetes refuses and which client-go could not read back.
 */
public sealed interface FieldShape {

  /** A string field. */
  FieldShape STRING = new Scalar("string");
  /** An int32 field: an integral number within 32 bits. */
  FieldShape INT32 = new Scalar("int32");
  FieldShape INT64 = new Scalar("int64");
  FieldShape BOOL = new Scalar("bool");
  FieldShape FLOAT64 = new Scalar("float64");
  /** IntOrString: a string or an int32. */
  FieldShape INT_OR_STRING = new Scalar("intstr.IntOrString");
  /** A quantity: a number, or a string in Kubernetes' quantity format ({@code 100m}, {@code 1.5Gi}). */
  FieldShape QUANTITY = new Scalar("resource.Quantity");
  /** MicroTime as fabric8 models it (a string in JSON). */
  FieldShape MICRO_TIME = new Scalar("v1.MicroTime");
  /** Whatever JSON: a field of a type this reading does not know. */
  FieldShape ANY = new Scalar("interface {}");

  /** The Go name of the type, as Kubernetes' decoding errors spell it. */
  String goType();

  /** A field of one JSON kind; {@link #goType} says which. */
  record Scalar(String goType) implements FieldShape {}

  /** A timestamp written in {@code pattern} (fabric8's {@code ZonedDateTime} fields carry it). */
  record Timestamp(String pattern, DateTimeFormatter format) implements FieldShape {
    @Override
    public String goType() {
      return "v1.MicroTime";
    }
  }

  record ListOf(FieldShape item) implements FieldShape {
    @Override
    public String goType() {
      return "[]" + item.goType();
    }
  }

  record MapOf(FieldShape value) implements FieldShape {
    @Override
    public String goType() {
      return "map[string]" + value.goType();
    }
  }

  /**
   * A struct read off {@code model}: its known properties; {@code properties} is filled once after the record exists
   * (models nest).
   */
  record Struct(Class<?> model, Map<String, FieldShape> properties) implements FieldShape {
    public String name() {
      return model.getSimpleName();
    }

    @Override
    public String goType() {
      return "v1." + name();
    }
  }

  /** Where and how a value missed its shape, in the words of Kubernetes' (Go's) JSON decoder. */
  final class Mismatch {
    private final String value;
    private final String goType;
    private final String detail;
    private final ArrayDeque<String> path = new ArrayDeque<>();
    private String struct;

    Mismatch(String value, String goType, String detail) {
      this.value = value;
      this.goType = goType;
      this.detail = detail;
    }

    /** Called on the way out of the walk, innermost field first. */
    void within(String structName, String field) {
      if (struct == null) {
        struct = structName;
      }
      path.addFirst(field);
    }

    /** The field's JSON path from the object's root, without list indexes, as Go names it. */
    public String path() {
      return String.join(".", path);
    }

    public String message() {
      if (detail != null) {
        return "parsing field " + struct + "." + path() + " of type " + goType + ": " + detail;
      }
      return "json: cannot unmarshal " + value + " into Go struct field " + struct + "." + path() + " of type "
          + goType;
    }

    @Override
    public String toString() {
      return message();
    }
  }

  /** The first field of {@code object} whose value does not fit {@code shape}, or null when every field fits. */
  static Mismatch check(Struct shape, JsonNode object) {
    return walk(shape, object);
  }

  private static Mismatch walk(FieldShape shape, JsonNode value) {
    if (value == null || value.isNull() || shape == ANY) {
      return null;
    }
    if (shape instanceof Struct struct) {
      if (!value.isObject()) {
        return new Mismatch(kindOf(value), struct.goType(), null);
      }
      Map<String, FieldShape> properties = struct.properties();
      for (Map.Entry<String, JsonNode> field : value.properties()) {
        FieldShape fieldShape = properties.get(field.getKey());
        if (fieldShape != null) {
          Mismatch mismatch = walk(fieldShape, field.getValue());
          if (mismatch != null) {
            mismatch.within(struct.name(), field.getKey());
            return mismatch;
          }
        }
      }
      return null;
    }
    if (shape instanceof ListOf list) {
      if (!value.isArray()) {
        return new Mismatch(kindOf(value), list.goType(), null);
      }
      for (JsonNode item : value) {
        Mismatch mismatch = walk(list.item(), item);
        if (mismatch != null) {
          return mismatch;
        }
      }
      return null;
    }
    if (shape instanceof MapOf map) {
      if (!value.isObject()) {
        return new Mismatch(kindOf(value), map.goType(), null);
      }
      for (JsonNode item : value) {
        Mismatch mismatch = walk(map.value(), item);
        if (mismatch != null) {
          return mismatch;
        }
      }
      return null;
    }
    if (shape instanceof Timestamp timestamp) {
      if (!value.isString()) {
        return new Mismatch(kindOf(value), timestamp.goType(), null);
      }
      String text = value.stringValue();
      if (!text.isEmpty()) {
        try {
          timestamp.format().parse(text);
        } catch (DateTimeParseException e) {
          return new Mismatch("string", timestamp.goType(),
              "\"" + text + "\" is not a time in the form " + timestamp.pattern());
        }
      }
      return null;
    }
    if (shape == QUANTITY && value.isString() && Quantity.parse(value.stringValue()) == null) {
      return new Mismatch("string", QUANTITY.goType(),
          "quantities must match the regular expression '" + Quantity.FORMAT + "'");
    }
    return scalar(shape, value);
  }

  private static Mismatch scalar(FieldShape shape, JsonNode value) {
    boolean fits;
    if (shape == STRING || shape == MICRO_TIME) {
      fits = value.isString();
    } else if (shape == INT32) {
      fits = value.isIntegralNumber() && value.canConvertToInt();
    } else if (shape == INT64) {
      fits = value.isIntegralNumber() && value.canConvertToLong();
    } else if (shape == BOOL) {
      fits = value.isBoolean();
    } else if (shape == FLOAT64) {
      fits = value.isNumber();
    } else if (shape == INT_OR_STRING) {
      fits = value.isString() || value.isIntegralNumber() && value.canConvertToInt();
    } else if (shape == QUANTITY) {
      fits = value.isString() || value.isNumber();
    } else {
      throw new IllegalStateException("no check for field shape " + shape);
    }
    if (fits) {
      return null;
    }
    // Go names a number that does not fit an integer type by its literal
    String kind = value.isNumber() && (shape == INT32 || shape == INT64 || shape == INT_OR_STRING)
        ? "number " + value : kindOf(value);
    return new Mismatch(kind, shape.goType(), null);
  }

  private static String kindOf(JsonNode value) {
    if (value.isString()) {
      return "string";
    }
    if (value.isNumber()) {
      return "number";
    }
    if (value.isBoolean()) {
      return "bool";
    }
    if (value.isArray()) {
      return "array";
    }
    return "object";
  }

  /** The shape of a fabric8 model class: each {@code @JsonProperty} field, nested model classes as structs. */
  static Struct of(Class<?> model) {
    return new Reading().struct(model);
  }

  /** One reading of a model's classes: each class read once, so that nested and recursive models share structs. */
  final class Reading {
    private static final String MODEL_PACKAGE = "io.fabric8.kubernetes.api.model";
    private final Map<Class<?>, Struct> structs = new HashMap<>();

    Struct struct(Class<?> model) {
      Struct known = structs.get(model);
      if (known != null) {
        return known;
      }
      Map<String, FieldShape> properties = new HashMap<>();
      Struct struct = new Struct(model, properties);
      structs.put(model, struct);
      for (Class<?> c = model; c != null && c != Object.class; c = c.getSuperclass()) {
        for (Field field : c.getDeclaredFields()) {
          JsonProperty json = field.getAnnotation(JsonProperty.class);
          if (json == null || Modifier.isStatic(field.getModifiers()) || properties.containsKey(json.value())) {
            continue;
          }
          properties.put(json.value(), shape(field.getGenericType(), field.getAnnotation(JsonFormat.class)));
        }
      }
      return struct;
    }

    private FieldShape shape(Type type, JsonFormat format) {
      if (type instanceof ParameterizedType parameterized && parameterized.getRawType() instanceof Class<?> raw) {
        Type[] arguments = parameterized.getActualTypeArguments();
        if (List.class.isAssignableFrom(raw)) {
          return new ListOf(shape(arguments[0], null));
        }
        if (Map.class.isAssignableFrom(raw) && arguments[0] == String.class) {
          return new MapOf(shape(arguments[1], null));
        }
        return ANY;
      }
      if (!(type instanceof Class<?> c)) {
        return ANY;
      }
      if (c == String.class || c.isEnum()) {
        return STRING;
      }
      if (c == Integer.class || c == int.class || c == Short.class || c == short.class) {
        return INT32;
      }
      if (c == Long.class || c == long.class) {
        return INT64;
      }
      if (c == Boolean.class || c == boolean.class) {
        return BOOL;
      }
      if (c == Double.class || c == double.class || c == Float.class || c == float.class) {
        return FLOAT64;
      }
      if (c == java.time.ZonedDateTime.class && format != null && !format.pattern().isEmpty()) {
        return new Timestamp(format.pattern(), DateTimeFormatter.ofPattern(format.pattern()).withZone(ZoneOffset.UTC));
      }
      if (!c.getName().startsWith(MODEL_PACKAGE) || c.isInterface()) {
        return ANY;
      }
      return switch (c.getSimpleName()) {
        case "IntOrString" -> INT_OR_STRING;
        case "Quantity" -> QUANTITY;
        case "MicroTime" -> MICRO_TIME;
        case "AnyType", "RawExtension" -> ANY;
        default -> struct(c);
      };
    }
  }
}
