package dev.tugboat.control.apiserver.discovery;

import dev.tugboat.control.apiserver.ApiResponse;
import dev.tugboat.control.apiserver.ResourceInfo;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * OpenAPI v3 documents ({@code /openapi/v3} and one per group version), as much as kubectl reads:
 *
 * <ul>
 *   <li>{@code kubectl apply/create --validate=strict} looks for a PATCH operation tagged with the object's
 *       group-version-kind that takes a {@code fieldValidation} query parameter, and if it finds one leaves
 *       validation to the server;</li>
 *   <li>{@code kubectl explain} looks for a schema tagged with the group-version-kind.</li>
 * </ul>
 *
 * The schemas come from the fabric8 model classes ({@link ModelSchemas}): field names and types, no descriptions;
 * kinds fabric8 lacks get a generic apiVersion/kind/metadata/spec/status schema. The PATCH operations list no
 * strategic merge patch body, so that kubectl apply computes its patches from its compiled-in types rather than
 * from these schemas.
 */
public final class OpenApiDocuments {

  private static final JsonMapper JSON = JsonMapper.shared();
  private static final List<String> PATCH_TYPES = List.of("application/json-patch+json",
      "application/merge-patch+json", "application/apply-patch+yaml");

  private final Map<String, byte[]> byGroupVersionPath = new LinkedHashMap<>();
  private final byte[] root;

  public OpenApiDocuments(List<ResourceInfo> resources) {
    Map<String, List<ResourceInfo>> byGroupVersion = new LinkedHashMap<>();
    for (ResourceInfo info : resources) {
      String path = info.group().isEmpty() ? "api/" + info.version() : "apis/" + info.group() + "/" + info.version();
      byGroupVersion.computeIfAbsent(path, p -> new java.util.ArrayList<>()).add(info);
    }
    ObjectNode rootNode = JSON.createObjectNode();
    ObjectNode paths = rootNode.putObject("paths");
    byGroupVersion.forEach((path, infos) -> {
      byte[] document = JSON.writeValueAsBytes(groupVersionDocument(infos));
      byGroupVersionPath.put(path, document);
      paths.putObject(path).put("serverRelativeURL", "/openapi/v3/" + path + "?hash=" + hash(document));
    });
    root = JSON.writeValueAsBytes(rootNode);
  }

  /** Serves {@code /openapi/SEGMENTS...}, or null when there is no such document. */
  public ApiResponse serve(List<String> segments, String accept) {
    if (!segments.get(0).equals("v3")) {
      return null;
    }
    if (segments.size() == 1) {
      return new ApiResponse(200, "application/json", root);
    }
    byte[] document = byGroupVersionPath.get(String.join("/", segments.subList(1, segments.size())));
    return document == null ? null : new ApiResponse(200, "application/json", document);
  }

  private static ObjectNode groupVersionDocument(List<ResourceInfo> infos) {
    ObjectNode doc = JSON.createObjectNode();
    doc.put("openapi", "3.0.0");
    ObjectNode info = doc.putObject("info");
    info.put("title", "Kubernetes");
    info.put("version", ServerVersion.GIT_VERSION);
    ObjectNode paths = doc.putObject("paths");
    ObjectNode schemas = doc.putObject("components").putObject("schemas");
    schemas.set(OBJECT_META, objectMetaSchema());
    for (ResourceInfo resource : infos) {
      String schemaName = schemaName(resource);
      schemas.set(schemaName, kindSchema(resource, schemas));
      String prefix = (resource.group().isEmpty() ? "/api/" : "/apis/" + resource.group() + "/") + resource.version();
      String collection = prefix + (resource.namespaced() ? "/namespaces/{namespace}/" : "/") + resource.resource();
      String item = collection + "/{name}";
      ObjectNode collectionPath = paths.putObject(collection);
      ObjectNode itemPath = paths.putObject(item);
      for (String verb : resource.verbs()) {
        switch (verb) {
          case "list" -> collectionPath.set("get", operation(resource, "list", schemaName, false));
          case "create" -> collectionPath.set("post", operation(resource, "post", schemaName, true));
          case "deletecollection" -> collectionPath.set("delete", operation(resource, "deletecollection", schemaName, false));
          case "get" -> itemPath.set("get", operation(resource, "get", schemaName, false));
          case "update" -> itemPath.set("put", operation(resource, "put", schemaName, true));
          case "patch" -> itemPath.set("patch", operation(resource, "patch", schemaName, true));
          case "delete" -> itemPath.set("delete", operation(resource, "delete", schemaName, false));
          default -> { }
        }
      }
    }
    return doc;
  }

  private static ObjectNode operation(ResourceInfo resource, String action, String schemaName, boolean withBody) {
    ObjectNode op = JSON.createObjectNode();
    op.put("operationId", action + resource.kind());
    ArrayNode parameters = op.putArray("parameters");
    if (withBody) {
      for (String name : List.of("dryRun", "fieldManager", "fieldValidation")) {
        ObjectNode parameter = parameters.addObject();
        parameter.put("name", name);
        parameter.put("in", "query");
        parameter.putObject("schema").put("type", "string");
      }
      ObjectNode content = op.putObject("requestBody").putObject("content");
      List<String> mediaTypes = action.equals("patch") ? PATCH_TYPES : List.of("application/json");
      for (String mediaType : mediaTypes) {
        content.putObject(mediaType).putObject("schema").put("$ref", "#/components/schemas/" + schemaName);
      }
    }
    ObjectNode ok = op.putObject("responses").putObject("200");
    ok.put("description", "OK");
    ok.putObject("content").putObject("application/json").putObject("schema")
        .put("$ref", "#/components/schemas/" + schemaName);
    op.put("x-kubernetes-action", action);
    gvk(op.putObject("x-kubernetes-group-version-kind"), resource);
    return op;
  }

  private static final String OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

  private static ObjectNode kindSchema(ResourceInfo resource, ObjectNode schemas) {
    ObjectNode schema = JSON.createObjectNode();
    schema.put("description", resource.kind() + " is a " + (resource.namespaced() ? "namespaced" : "cluster-scoped")
        + " Kubernetes resource served as " + resource.resource() + ".");
    schema.put("type", "object");
    Class<?> model = ModelSchemas.modelClass(resource.group(), resource.version(), resource.kind());
    if (model != null) {
      schema.set("properties", ModelSchemas.properties(model, schemas));
      ObjectNode metadata = (ObjectNode) schema.path("properties").path("metadata");
      if (metadata.isObject()) {
        metadata.put("description", "Standard object's metadata.");
      }
      gvk(schema.putArray("x-kubernetes-group-version-kind").addObject(), resource);
      return schema;
    }
    ObjectNode properties = schema.putObject("properties");
    property(properties, "apiVersion", "string",
        "APIVersion defines the versioned schema of this representation of an object.");
    property(properties, "kind", "string", "Kind is a string value representing the REST resource this object represents.");
    ObjectNode metadata = properties.putObject("metadata");
    metadata.put("description", "Standard object's metadata.");
    metadata.putArray("allOf").addObject().put("$ref", "#/components/schemas/" + OBJECT_META);
    metadata.putObject("default");
    if (resource.subresources().contains("status") || !resource.kind().endsWith("Review")) {
      property(properties, "spec", "object", "Spec defines the desired state of the " + resource.kind() + ".");
    }
    if (resource.subresources().contains("status")) {
      property(properties, "status", "object", "Status is the most recently observed status of the " + resource.kind() + ".");
    }
    gvk(schema.putArray("x-kubernetes-group-version-kind").addObject(), resource);
    return schema;
  }

  private static ObjectNode objectMetaSchema() {
    ObjectNode schema = JSON.createObjectNode();
    schema.put("description", "ObjectMeta is metadata that all persisted resources must have.");
    schema.put("type", "object");
    ObjectNode properties = schema.putObject("properties");
    property(properties, "name", "string", "Name must be unique within a namespace.");
    property(properties, "generateName", "string", "Prefix the server uses to generate a unique name.");
    property(properties, "namespace", "string", "Namespace defines the space within which each name must be unique.");
    property(properties, "uid", "string", "UID is the unique in time and space value for this object.");
    property(properties, "resourceVersion", "string", "An opaque value that represents the internal version of this object.");
    property(properties, "generation", "integer", "A sequence number representing a specific generation of the desired state.");
    property(properties, "creationTimestamp", "string", "The time this object was created.");
    property(properties, "deletionTimestamp", "string", "The time after which this resource will be deleted.");
    ObjectNode labels = properties.putObject("labels");
    labels.put("description", "Map of string keys and values that can be used to organize and categorize objects.");
    labels.put("type", "object");
    labels.putObject("additionalProperties").put("type", "string");
    ObjectNode annotations = properties.putObject("annotations");
    annotations.put("description", "Annotations is an unstructured key value map stored with a resource.");
    annotations.put("type", "object");
    annotations.putObject("additionalProperties").put("type", "string");
    ObjectNode finalizers = properties.putObject("finalizers");
    finalizers.put("description", "Must be empty before the object is deleted from the registry.");
    finalizers.put("type", "array");
    finalizers.putObject("items").put("type", "string");
    return schema;
  }

  private static void property(ObjectNode properties, String name, String type, String description) {
    ObjectNode property = properties.putObject(name);
    property.put("description", description);
    property.put("type", type);
    if (type.equals("object")) {
      property.put("x-kubernetes-preserve-unknown-fields", true);
    }
  }

  private static void gvk(ObjectNode node, ResourceInfo resource) {
    node.put("group", resource.group());
    node.put("kind", resource.kind());
    node.put("version", resource.version());
  }

  /** Kubernetes' own schema names: io.k8s.api.core.v1.Pod, io.k8s.api.apps.v1.Deployment. */
  static String schemaName(ResourceInfo resource) {
    String group = resource.group().isEmpty() ? "core" : resource.group().split("\\.")[0];
    return "io.k8s.api." + group + "." + resource.version() + "." + resource.kind();
  }

  private static String hash(byte[] document) {
    try {
      return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-512").digest(document));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
