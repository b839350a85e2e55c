package dev.tugboat.control.apiserver.transport;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads request bodies in Kubernetes' protobuf encoding ({@code application/vnd.kubernetes.protobuf}), which
 * kubectl's typed clients send (kubectl create namespace, configmap, secret, deployment...), and rewrites them as
 * the JSON the resource layer reads. The envelope is the magic {@code k8s\0} and a runtime.Unknown holding apiVersion,
 * kind and the object's message; the messages are described by the Kubernetes Java client's compiled descriptors.
 *
 * <p>The JSON follows Kubernetes' conventions where protobuf differs: metav1.Time is an RFC 3339 string,
 * IntOrString a number or a string, Quantity a string, RawExtension embedded JSON, bytes base64; empty strings and
 * zero times, which Go writes to protobuf but leaves out of JSON, are left out.
 */
public final class KubernetesProtobuf {

  public static final String MEDIA_TYPE = "application/vnd.kubernetes.protobuf";
  private static final byte[] MAGIC = {'k', '8', 's', 0};
  private static final String META = "k8s.io.apimachinery.pkg.apis.meta.v1";
  private static final JsonMapper JSON = JsonMapper.shared();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final DateTimeFormatter MICRO_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSX").withZone(ZoneOffset.UTC);

  /** Messages by "group/version/Kind" ("/v1/Pod" for core), and meta/v1 kinds (DeleteOptions) by kind alone. */
  private static final Map<String, Descriptor> KINDS = new HashMap<>();
  private static final Descriptor UNKNOWN;

  static {
    List<FileDescriptor> files = List.of(io.kubernetes.client.proto.V1.getDescriptor(),
        io.kubernetes.client.proto.V1Apps.getDescriptor(), io.kubernetes.client.proto.V1Batch.getDescriptor(),
        io.kubernetes.client.proto.V1Networking.getDescriptor(), io.kubernetes.client.proto.V1Rbac.getDescriptor(),
        io.kubernetes.client.proto.V1Policy.getDescriptor(), io.kubernetes.client.proto.V1Autoscaling.getDescriptor(),
        io.kubernetes.client.proto.V1Scheduling.getDescriptor(), io.kubernetes.client.proto.V1Storage.getDescriptor(),
        io.kubernetes.client.proto.V1Authentication.getDescriptor(),
        io.kubernetes.client.proto.V1Authorization.getDescriptor(),
        io.kubernetes.client.proto.V1Certificates.getDescriptor(),
        io.kubernetes.client.proto.V1Admissionregistration.getDescriptor(),
        io.kubernetes.client.proto.Meta.getDescriptor());
    for (FileDescriptor file : files) {
      String groupVersion = groupVersion(file.getPackage());
      for (Descriptor message : file.getMessageTypes()) {
        KINDS.put(groupVersion + "/" + message.getName(), message);
      }
    }
    UNKNOWN = io.kubernetes.client.proto.Runtime.getDescriptor().findMessageTypeByName("Unknown");
  }

  private KubernetesProtobuf() {}

  public static boolean isProtobuf(String contentType) {
    return contentType != null && contentType.strip().startsWith(MEDIA_TYPE);
  }

  /** The body as Kubernetes JSON; IllegalArgumentException says why it is not a Kubernetes protobuf object. */
  public static byte[] toJson(byte[] body) {
    if (body.length < MAGIC.length || !Arrays.equals(body, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new IllegalArgumentException("protobuf body does not start with the Kubernetes magic k8s\\0");
    }
    try {
      DynamicMessage unknown = DynamicMessage.parseFrom(UNKNOWN,
          ByteString.copyFrom(body, MAGIC.length, body.length - MAGIC.length));
      DynamicMessage typeMeta = (DynamicMessage) unknown.getField(UNKNOWN.findFieldByName("typeMeta"));
      String apiVersion = (String) typeMeta.getField(typeMeta.getDescriptorForType().findFieldByName("apiVersion"));
      String kind = (String) typeMeta.getField(typeMeta.getDescriptorForType().findFieldByName("kind"));
      Descriptor descriptor = descriptorOf(apiVersion, kind);
      if (descriptor == null) {
        throw new IllegalArgumentException("no protobuf schema for " + apiVersion + ", Kind=" + kind);
      }
      ByteString raw = (ByteString) unknown.getField(UNKNOWN.findFieldByName("raw"));
      ObjectNode object = NODES.objectNode();
      object.put("kind", kind);
      object.put("apiVersion", apiVersion);
      object.setAll(message(DynamicMessage.parseFrom(descriptor, raw)));
      return JSON.writeValueAsBytes(object);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("malformed protobuf body: " + e.getMessage(), e);
    }
  }

  private static Descriptor descriptorOf(String apiVersion, String kind) {
    String groupVersion = apiVersion.contains("/") ? apiVersion : "/" + apiVersion;
    Descriptor descriptor = KINDS.get(groupVersion + "/" + kind);
    return descriptor != null ? descriptor : KINDS.get(groupVersion(META) + "/" + kind);
  }

  /** k8s.io.api.apps.v1 is apps/v1; core is ""; rbac's group is longer than its package. */
  static String groupVersion(String protoPackage) {
    if (protoPackage.equals(META)) {
      return "meta.k8s.io/v1";
    }
    String[] parts = protoPackage.split("\\.");
    String version = parts[parts.length - 1];
    String name = parts[parts.length - 2];
    String group = switch (name) {
      case "core" -> "";
      case "apps", "batch", "autoscaling", "policy", "extensions" -> name;
      case "rbac" -> "rbac.authorization.k8s.io";
      default -> name + ".k8s.io";
    };
    return group + "/" + version;
  }

  private static ObjectNode message(DynamicMessage message) {
    ObjectNode node = NODES.objectNode();
    for (Map.Entry<FieldDescriptor, Object> entry : message.getAllFields().entrySet()) {
      FieldDescriptor field = entry.getKey();
      JsonNode value;
      if (field.isMapField()) {
        ObjectNode map = NODES.objectNode();
        for (Object item : (List<?>) entry.getValue()) {
          DynamicMessage pair = (DynamicMessage) item;
          Descriptor pairType = pair.getDescriptorForType();
          FieldDescriptor valueField = pairType.findFieldByName("value");
          JsonNode mapValue = value(valueField, pair.getField(valueField));
          map.set(String.valueOf(pair.getField(pairType.findFieldByName("key"))),
              mapValue == null ? NODES.nullNode() : mapValue);
        }
        value = map;
      } else if (field.isRepeated()) {
        ArrayNode array = NODES.arrayNode();
        for (Object item : (List<?>) entry.getValue()) {
          JsonNode element = value(field, item);
          array.add(element == null ? NODES.nullNode() : element);
        }
        value = array;
      } else {
        value = value(field, entry.getValue());
        if (value != null && value.isString() && value.asString().isEmpty()) {
          value = null;
        }
      }
      if (value != null) {
        node.set(field.getName(), value);
      }
    }
    return node;
  }

  /** One value in Kubernetes JSON, or null for a value JSON leaves out (a zero time, an empty raw extension). */
  private static JsonNode value(FieldDescriptor field, Object value) {
    return switch (field.getJavaType()) {
      case MESSAGE -> wellKnown((DynamicMessage) value);
      case STRING -> NODES.stringNode((String) value);
      case BYTE_STRING -> NODES.stringNode(Base64.getEncoder().encodeToString(((ByteString) value).toByteArray()));
      case INT -> NODES.numberNode((Integer) value);
      case LONG -> NODES.numberNode((Long) value);
      case BOOLEAN -> NODES.booleanNode((Boolean) value);
      case DOUBLE -> NODES.numberNode((Double) value);
      case FLOAT -> NODES.numberNode((Float) value);
      case ENUM -> NODES.stringNode(value.toString());
    };
  }

  private static JsonNode wellKnown(DynamicMessage message) {
    Descriptor type = message.getDescriptorForType();
    switch (type.getFullName()) {
      case META + ".Time" -> {
        long seconds = longField(message, "seconds");
        return seconds == 0 && longField(message, "nanos") == 0 ? null
            : NODES.stringNode(Instant.ofEpochSecond(seconds).toString());
      }
      case META + ".MicroTime" -> {
        long seconds = longField(message, "seconds");
        long nanos = longField(message, "nanos");
        return seconds == 0 && nanos == 0 ? null
            : NODES.stringNode(MICRO_TIME.format(Instant.ofEpochSecond(seconds, nanos)));
      }
      case META + ".Duration" -> {
        return NODES.stringNode(goDuration(longField(message, "duration")));
      }
      case META + ".FieldsV1", "k8s.io.apimachinery.pkg.runtime.RawExtension" -> {
        ByteString raw = (ByteString) message.getField(type.findFieldByName("Raw") != null
            ? type.findFieldByName("Raw") : type.findFieldByName("raw"));
        return raw.isEmpty() ? null : embeddedJson(raw);
      }
      case "k8s.io.apimachinery.pkg.util.intstr.IntOrString" -> {
        return longField(message, "type") == 1 ? NODES.stringNode((String) message.getField(type.findFieldByName("strVal")))
            : NODES.numberNode((int) longField(message, "intVal"));
      }
      case "k8s.io.apimachinery.pkg.api.resource.Quantity" -> {
        return NODES.stringNode((String) message.getField(type.findFieldByName("string")));
      }
      default -> {
        if (type.getName().equals("ExtraValue") || type.getName().equals("OptionalNames")) {
          ArrayNode items = NODES.arrayNode();
          FieldDescriptor field = type.findFieldByName("items");
          for (Object item : (List<?>) message.getField(field)) {
            items.add((String) item);
          }
          return items;
        }
        return message(message);
      }
    }
  }

  private static JsonNode embeddedJson(ByteString raw) {
    try {
      return JSON.readTree(raw.toByteArray());
    } catch (JacksonException e) {
      throw new IllegalArgumentException("embedded object is not JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static long longField(DynamicMessage message, String name) {
    Object value = message.getField(message.getDescriptorForType().findFieldByName(name));
    return ((Number) value).longValue();
  }

  /** Go's time.Duration.String(): 1h2m3s, 1.5s, 300ms, 0s. */
  static String goDuration(long nanos) {
    if (nanos == 0) {
      return "0s";
    }
    String sign = nanos < 0 ? "-" : "";
    long n = Math.abs(nanos);
    if (n < 1_000_000_000L) {
      if (n < 1_000) {
        return sign + n + "ns";
      }
      if (n < 1_000_000) {
        return sign + trim(n / 1e3) + "µs";
      }
      return sign + trim(n / 1e6) + "ms";
    }
    long hours = n / 3_600_000_000_000L;
    long minutes = n / 60_000_000_000L % 60;
    double seconds = (n % 60_000_000_000L) / 1e9;
    StringBuilder out = new StringBuilder(sign);
    if (hours > 0) {
      out.append(hours).append('h');
    }
    if (hours > 0 || minutes > 0) {
      out.append(minutes).append('m');
    }
    return out.append(trim(seconds)).append('s').toString();
  }

  private static String trim(double value) {
    String text = java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    return text;
  }
}
