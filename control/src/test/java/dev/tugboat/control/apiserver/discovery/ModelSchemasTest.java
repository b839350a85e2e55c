package dev.tugboat.control.apiserver.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class ModelSchemasTest {

  private final ObjectNode schemas = JsonMapper.shared().createObjectNode();

  /** The schema at {@code path} below the model, following struct references and list items. */
  private JsonNode field(Class<?> model, String... path) {
    JsonNode properties = ModelSchemas.properties(model, schemas);
    JsonNode field = null;
    for (String name : path) {
      field = properties.path(name);
      assertThat(field.isMissingNode()).as("property %s", name).isFalse();
      String ref = field.path("allOf").path(0).path("$ref").asString("");
      if (!ref.isEmpty()) {
        properties = schemas.path(ref.substring(ref.lastIndexOf('/') + 1)).path("properties");
      } else if (field.path("type").asString("").equals("array")) {
        String itemRef = field.path("items").path("allOf").path(0).path("$ref").asString("");
        properties = schemas.path(itemRef.substring(itemRef.lastIndexOf('/') + 1)).path("properties");
      }
    }
    return field;
  }

  @Test
  void modelClassIsTheFabric8ClassOfTheKindInItsGroupVersion() {
    assertThat(ModelSchemas.modelClass("", "v1", "Pod")).isEqualTo(Pod.class);
    assertThat(ModelSchemas.modelClass("apps", "v1", "Deployment")).isEqualTo(Deployment.class);
    assertThat(ModelSchemas.modelClass("coordination.k8s.io", "v1", "Lease")).isEqualTo(Lease.class);
    assertThat(ModelSchemas.modelClass("apps", "v1", "Pod")).isNull();
  }

  @Test
  void nestedStructsAreReferencedSchemasOfTheirOwn() {
    JsonNode spec = field(Pod.class, "spec");
    assertThat(spec.path("allOf").path(0).path("$ref").asString())
        .isEqualTo("#/components/schemas/io.fabric8.kubernetes.api.model.PodSpec");
    assertThat(schemas.path("io.fabric8.kubernetes.api.model.PodSpec").path("type").asString()).isEqualTo("object");
    JsonNode containers = field(Pod.class, "spec", "containers");
    assertThat(containers.path("type").asString()).isEqualTo("array");
    assertThat(containers.path("items").path("allOf").path(0).path("$ref").asString())
        .endsWith("io.fabric8.kubernetes.api.model.Container");
  }

  @Test
  void scalarsTakeTheJsonTypesKubernetesGivesThem() {
    assertThat(field(Pod.class, "spec", "containers", "ports", "containerPort").toString())
        .isEqualTo("{\"type\":\"integer\",\"format\":\"int32\"}");
    assertThat(field(Pod.class, "spec", "activeDeadlineSeconds").toString())
        .isEqualTo("{\"type\":\"integer\",\"format\":\"int64\"}");
    assertThat(field(Pod.class, "spec", "hostNetwork").toString()).isEqualTo("{\"type\":\"boolean\"}");
    assertThat(field(Pod.class, "spec", "nodeName").toString()).isEqualTo("{\"type\":\"string\"}");
    assertThat(field(Pod.class, "spec", "nodeSelector").toString())
        .isEqualTo("{\"type\":\"object\",\"additionalProperties\":{\"type\":\"string\"}}");
    assertThat(field(Pod.class, "spec", "containers", "resources", "limits").toString())
        .isEqualTo("{\"type\":\"object\",\"additionalProperties\":{\"type\":\"string\"}}");
    assertThat(field(Deployment.class, "spec", "strategy", "rollingUpdate", "maxSurge").toString())
        .isEqualTo("{\"x-kubernetes-int-or-string\":true}");
  }

  @Test
  void timesAreRfc3339Strings() {
    // fabric8 models a Lease's renewTime as a ZonedDateTime: it was an arbitrary object in the schema before
    assertThat(field(Lease.class, "spec", "renewTime").toString())
        .isEqualTo("{\"type\":\"string\",\"format\":\"date-time\"}");
  }

  @Test
  void propertiesAreSortedByName() {
    JsonNode properties = ModelSchemas.properties(Pod.class, schemas);
    assertThat(properties.propertyNames()).containsExactly("apiVersion", "kind", "metadata", "spec", "status");
  }
}
