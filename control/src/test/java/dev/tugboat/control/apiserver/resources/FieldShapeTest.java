package dev.tugboat.control.apiserver.resources;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

class FieldShapeTest {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final FieldShape.Struct POD = FieldShape.of(Pod.class);

  private static FieldShape.Mismatch checkPod(String json) {
    return FieldShape.check(POD, Codec.JSON.readTree(json));
  }

  @Test
  void aWellTypedPodFits() {
    assertThat(checkPod("""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"d","labels":{"a":"b"},
         "annotations":{"x":"y"},"generation":3,"ownerReferences":[{"name":"o","controller":true}]},
         "spec":{"priority":5,"hostNetwork":true,"nodeName":null,"containers":[{"name":"c","image":"i",
          "command":["sleep","3600"],"ports":[{"containerPort":80}],"resources":{"limits":{"cpu":1,"memory":"1Gi"},
          "requests":{"cpu":0.5}},"livenessProbe":{"httpGet":{"port":"http"}},"readinessProbe":{"tcpSocket":{"port":80}},
          "env":[{"name":"a","value":"5"}],"unknownField":[1,{"deep":true}]}],"overhead":{"cpu":"1"}},
         "status":{"phase":"Running"}}""")).isNull();
  }

  /** What Kubernetes' decoder refuses, as it says it: the value's JSON kind, the field's struct and path, its type. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      {"spec":{"priority":"3"}}                                  | json: cannot unmarshal string into Go struct field PodSpec.spec.priority of type int32
      {"spec":{"priority":3.5}}                                  | json: cannot unmarshal number 3.5 into Go struct field PodSpec.spec.priority of type int32
      {"spec":{"priority":9999999999}}                           | json: cannot unmarshal number 9999999999 into Go struct field PodSpec.spec.priority of type int32
      {"spec":{"priority":true}}                                 | json: cannot unmarshal bool into Go struct field PodSpec.spec.priority of type int32
      {"spec":{"priority":{}}}                                   | json: cannot unmarshal object into Go struct field PodSpec.spec.priority of type int32
      {"spec":{"nodeName":3}}                                    | json: cannot unmarshal number into Go struct field PodSpec.spec.nodeName of type string
      {"spec":{"nodeName":[]}}                                   | json: cannot unmarshal array into Go struct field PodSpec.spec.nodeName of type string
      {"spec":{"hostNetwork":"true"}}                            | json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool
      {"spec":{"hostNetwork":1}}                                 | json: cannot unmarshal number into Go struct field PodSpec.spec.hostNetwork of type bool
      {"spec":{"containers":{}}}                                 | json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container
      {"spec":{"containers":["x"]}}                              | json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type v1.Container
      {"spec":{"containers":[{"command":"sleep"}]}}              | json: cannot unmarshal string into Go struct field Container.spec.containers.command of type []string
      {"spec":{"containers":[{"name":"a"},{"command":[1]}]}}     | json: cannot unmarshal number into Go struct field Container.spec.containers.command of type string
      {"spec":{"containers":[{"resources":{"limits":{"cpu":{}}}}]}} | json: cannot unmarshal object into Go struct field ResourceRequirements.spec.containers.resources.limits of type resource.Quantity
      {"spec":{"containers":[{"resources":{"limits":{"cpu":true}}}]}} | json: cannot unmarshal bool into Go struct field ResourceRequirements.spec.containers.resources.limits of type resource.Quantity
      {"spec":{"containers":[{"livenessProbe":{"httpGet":{"port":true}}}]}} | json: cannot unmarshal bool into Go struct field HTTPGetAction.spec.containers.livenessProbe.httpGet.port of type intstr.IntOrString
      {"spec":{"containers":[{"livenessProbe":{"httpGet":{"port":1.5}}}]}}  | json: cannot unmarshal number 1.5 into Go struct field HTTPGetAction.spec.containers.livenessProbe.httpGet.port of type intstr.IntOrString
      {"spec":{"overhead":{"cpu":"lots"}}}                       | parsing field PodSpec.spec.overhead of type resource.Quantity: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'
      {"metadata":{"labels":{"a":1}}}                            | json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string
      {"metadata":{"labels":[]}}                                 | json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string
      {"metadata":"x"}                                           | json: cannot unmarshal string into Go struct field Pod.metadata of type v1.ObjectMeta
      {"metadata":{"generation":"5"}}                            | json: cannot unmarshal string into Go struct field ObjectMeta.metadata.generation of type int64
      {"metadata":{"managedFields":[{"fieldsV1":"x"}]}}          | json: cannot unmarshal string into Go struct field ManagedFieldsEntry.metadata.managedFields.fieldsV1 of type v1.FieldsV1
      {"kind":{}}                                                | json: cannot unmarshal object into Go struct field Pod.kind of type string
      """)
  void aFieldOfTheWrongJsonTypeIsNamedWithItsPathAndType(String json, String message) {
    FieldShape.Mismatch mismatch = checkPod(json);
    assertThat(mismatch).isNotNull();
    assertThat(mismatch.message()).isEqualTo(message);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      {"metadata":null}
      {"spec":{"nodeName":null,"priority":null,"containers":[null]}}
      {"metadata":{"labels":{"a":null}}}
      {"spec":{"unknownField":{"x":1},"containers":[{"unknown":[1]}]}}
      {"spec":{"containers":[{"livenessProbe":{"httpGet":{"port":""}}}]}}
      {"spec":{"containers":[{"resources":{"limits":{"cpu":"100m","memory":1.5}}}]}}
      {"metadata":{"managedFields":[{"fieldsV1":{"f:metadata":{}}}]}}
      {"spec":{"activeDeadlineSeconds":9223372036854775807}}
      """)
  void nullsUnknownFieldsAndEitherFormOfAQuantityOrIntOrStringFit(String json) {
    assertThat(checkPod(json)).isNull();
  }

  @Test
  void aLeaseTimeMustBeInTheFormFabric8Reads() {
    FieldShape.Struct lease = FieldShape.of(Lease.class);
    assertThat(FieldShape.check(lease, Codec.JSON.readTree("{\"spec\":{\"renewTime\":\"2026-11-29T09:00:00.123456Z\"}}")))
        .isNull();
    assertThat(FieldShape.check(lease, Codec.JSON.readTree("{\"spec\":{\"renewTime\":\"\"}}"))).isNull();
    assertThat(FieldShape.check(lease, Codec.JSON.readTree("{\"spec\":{\"renewTime\":\"garbage\"}}")).message())
        .isEqualTo("parsing field LeaseSpec.spec.renewTime of type v1.MicroTime: \"garbage\" is not a time in the form "
            + "yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'");
    assertThat(FieldShape.check(lease, Codec.JSON.readTree("{\"spec\":{\"renewTime\":5}}")).message())
        .isEqualTo("json: cannot unmarshal number into Go struct field LeaseSpec.spec.renewTime of type v1.MicroTime");
  }

  /**
   * Every field of every kind the server checks, set one at a time to a value of each JSON kind: whatever the shape lets
   * through, fabric8's typed model (what the project's clients decode) reads back too, and the field's own type fits.
   */
  @Test
  void whatFitsAShapeDecodesAsTheTypedModelForEveryFieldOfEveryKind() {
    List<Class<?>> kinds = List.of(Pod.class, Namespace.class, Node.class, Service.class, Endpoints.class,
        ConfigMap.class, Secret.class, Event.class, ServiceAccount.class, Deployment.class, ReplicaSet.class,
        Lease.class, EndpointSlice.class);
    List<JsonNode> candidates = List.of(NODES.stringNode("x"), NODES.numberNode(7), NODES.numberNode(1.5),
        NODES.booleanNode(true), NODES.objectNode(), NODES.arrayNode().add("x"), NODES.arrayNode().addObject(),
        NODES.stringNode("2026-11-29T09:00:00.123456Z"));
    int fields = 0;
    for (Class<?> kind : kinds) {
      FieldShape.Struct shape = FieldShape.of(kind);
      List<List<Object>> paths = new ArrayList<>();
      paths(shape, new ArrayList<>(), new HashSet<>(), paths);
      for (List<Object> path : paths) {
        FieldShape leaf = (FieldShape) path.get(path.size() - 1);
        List<Object> steps = path.subList(0, path.size() - 1);
        fields++;
        JsonNode right = rightValue(leaf);
        ObjectNode fitting = place(steps, right);
        assertThat(FieldShape.check(shape, fitting)).as("%s %s", kind.getSimpleName(), fitting).isNull();
        assertThat(decodes(kind, fitting)).as("%s %s", kind.getSimpleName(), fitting).isTrue();
        for (JsonNode candidate : candidates) {
          ObjectNode object = place(steps, candidate);
          if (FieldShape.check(shape, object) == null) {
            assertThat(decodes(kind, object)).as("%s %s fits its shape", kind.getSimpleName(), object).isTrue();
          }
        }
      }
    }
    assertThat(fields).as("fields walked").isGreaterThan(1000);
  }

  /** Each path from the root to a leaf field: property names, "[]" into a list, "{}" into a map; the leaf's shape last. */
  private static void paths(FieldShape.Struct struct, List<Object> prefix, Set<FieldShape.Struct> open,
                            List<List<Object>> out) {
    if (!open.add(struct)) {
      return;
    }
    for (Map.Entry<String, FieldShape> property : struct.properties().entrySet()) {
      List<Object> path = new ArrayList<>(prefix);
      path.add(property.getKey());
      FieldShape shape = property.getValue();
      while (shape instanceof FieldShape.ListOf || shape instanceof FieldShape.MapOf) {
        List<Object> leaf = new ArrayList<>(path);
        leaf.add(shape);
        out.add(leaf);
        path.add(shape instanceof FieldShape.ListOf ? "[]" : "{}");
        shape = shape instanceof FieldShape.ListOf list ? list.item() : ((FieldShape.MapOf) shape).value();
      }
      List<Object> leaf = new ArrayList<>(path);
      leaf.add(shape);
      out.add(leaf);
      if (shape instanceof FieldShape.Struct nested) {
        paths(nested, path, open, out);
      }
    }
    open.remove(struct);
  }

  private static ObjectNode place(List<Object> steps, JsonNode value) {
    ObjectNode root = NODES.objectNode();
    JsonNode at = root;
    for (int i = 0; i < steps.size(); i++) {
      String step = (String) steps.get(i);
      boolean last = i == steps.size() - 1;
      String next = last ? null : (String) steps.get(i + 1);
      JsonNode child = last ? value : "[]".equals(next) ? NODES.arrayNode() : NODES.objectNode();
      if (at.isArray()) {
        ((tools.jackson.databind.node.ArrayNode) at).add(child);
      } else {
        ((ObjectNode) at).set("[]".equals(step) || "{}".equals(step) ? "k" : step, child);
      }
      at = child;
    }
    return root;
  }

  private static JsonNode rightValue(FieldShape shape) {
    if (shape instanceof FieldShape.Struct) {
      return NODES.objectNode();
    }
    if (shape instanceof FieldShape.ListOf list) {
      return NODES.arrayNode().add(rightValue(list.item()));
    }
    if (shape instanceof FieldShape.MapOf map) {
      return NODES.objectNode().set("k", rightValue(map.value()));
    }
    if (shape instanceof FieldShape.Timestamp) {
      return NODES.stringNode("2026-11-29T09:00:00.123456Z");
    }
    if (shape == FieldShape.INT32 || shape == FieldShape.INT64 || shape == FieldShape.INT_OR_STRING) {
      return NODES.numberNode(7);
    }
    if (shape == FieldShape.BOOL) {
      return NODES.booleanNode(true);
    }
    if (shape == FieldShape.FLOAT64 || shape == FieldShape.QUANTITY) {
      return NODES.numberNode(1.5);
    }
    if (shape == FieldShape.ANY) {
      return NODES.objectNode();
    }
    return NODES.stringNode("x");
  }

  private static boolean decodes(Class<?> kind, ObjectNode object) {
    try {
      Codec.JSON.treeToValue(object, kind);
      return true;
    } catch (JacksonException e) {
      return false;
    }
  }
}
