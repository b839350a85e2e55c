package dev.tugboat.control.apiserver.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.kubernetes.client.proto.IntStr;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.Resource;
import io.kubernetes.client.proto.Runtime;
import io.kubernetes.client.proto.V1;
import io.kubernetes.client.proto.V1Apps;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class KubernetesProtobufTest {

  /** What client-go writes: the magic, then a runtime.Unknown around the object's message. */
  private static byte[] envelope(String apiVersion, String kind, Message object) {
    Runtime.Unknown unknown = Runtime.Unknown.newBuilder()
        .setTypeMeta(Runtime.TypeMeta.newBuilder().setApiVersion(apiVersion).setKind(kind))
        .setRaw(object.toByteString()).setContentEncoding("").setContentType("").build();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {'k', '8', 's', 0});
    out.writeBytes(unknown.toByteArray());
    return out.toByteArray();
  }

  private static JsonNode json(byte[] body) {
    return JsonMapper.shared().readTree(KubernetesProtobuf.toJson(body));
  }

  @Test
  void configMapBecomesKubernetesJsonWithoutGosEmptyStringsAndZeroTimes() {
    V1.ConfigMap configMap = V1.ConfigMap.newBuilder()
        .setMetadata(Meta.ObjectMeta.newBuilder().setName("settings").setNamespace("default").setGenerateName("")
            .setCreationTimestamp(Meta.Time.newBuilder().setSeconds(0).setNanos(0)).putLabels("app", "web"))
        .putData("a", "1").putData("empty", "")
        .putBinaryData("bin", ByteString.copyFrom(new byte[] {1, 2, 3}))
        .build();
    JsonNode json = json(envelope("v1", "ConfigMap", configMap));
    assertThat(json.toString()).isEqualTo("{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"settings\","
        + "\"namespace\":\"default\",\"labels\":{\"app\":\"web\"}},\"data\":{\"a\":\"1\",\"empty\":\"\"},"
        + "\"binaryData\":{\"bin\":\"AQID\"}}");
  }

  @Test
  void deploymentKeepsIntOrStringQuantitiesTimesAndZeroReplicas() {
    V1.PodTemplateSpec template = V1.PodTemplateSpec.newBuilder()
        .setSpec(V1.PodSpec.newBuilder().addContainers(V1.Container.newBuilder().setName("c").setImage("busybox")
            .setResources(V1.ResourceRequirements.newBuilder()
                .putLimits("memory", Resource.Quantity.newBuilder().setString("64Mi").build()))
            .addPorts(V1.ContainerPort.newBuilder().setContainerPort(80))))
        .build();
    V1Apps.Deployment deployment = V1Apps.Deployment.newBuilder()
        .setMetadata(Meta.ObjectMeta.newBuilder().setName("web")
            .setCreationTimestamp(Meta.Time.newBuilder().setSeconds(1767225600)))
        .setSpec(V1Apps.DeploymentSpec.newBuilder().setReplicas(0).setTemplate(template)
            .setStrategy(V1Apps.DeploymentStrategy.newBuilder().setRollingUpdate(
                V1Apps.RollingUpdateDeployment.newBuilder()
                    .setMaxSurge(IntStr.IntOrString.newBuilder().setType(1).setStrVal("25%"))
                    .setMaxUnavailable(IntStr.IntOrString.newBuilder().setType(0).setIntVal(1)))))
        .build();
    JsonNode json = json(envelope("apps/v1", "Deployment", deployment));
    assertThat(json.path("apiVersion").asString()).isEqualTo("apps/v1");
    assertThat(json.path("metadata").path("creationTimestamp").asString()).isEqualTo("2026-01-01T00:00:00Z");
    assertThat(json.path("spec").path("replicas").isNumber()).isTrue();
    assertThat(json.path("spec").path("replicas").asInt()).isZero();
    JsonNode rolling = json.path("spec").path("strategy").path("rollingUpdate");
    assertThat(rolling.path("maxSurge").asString()).isEqualTo("25%");
    assertThat(rolling.path("maxUnavailable").isInt()).isTrue();
    JsonNode container = json.path("spec").path("template").path("spec").path("containers").get(0);
    assertThat(container.path("resources").path("limits").path("memory").asString()).isEqualTo("64Mi");
    assertThat(container.path("ports").get(0).path("containerPort").asInt()).isEqualTo(80);
  }

  @Test
  void metaKindsLikeDeleteOptionsAreFoundWhateverTheirApiVersion() {
    Meta.DeleteOptions options = Meta.DeleteOptions.newBuilder().setGracePeriodSeconds(0)
        .setPropagationPolicy("Foreground").build();
    JsonNode json = json(envelope("v1", "DeleteOptions", options));
    assertThat(json.path("gracePeriodSeconds").asLong()).isZero();
    assertThat(json.path("propagationPolicy").asString()).isEqualTo("Foreground");
  }

  @Test
  void protoPackagesMapToKubernetesGroups() {
    assertThat(KubernetesProtobuf.groupVersion("k8s.io.api.core.v1")).isEqualTo("/v1");
    assertThat(KubernetesProtobuf.groupVersion("k8s.io.api.apps.v1")).isEqualTo("apps/v1");
    assertThat(KubernetesProtobuf.groupVersion("k8s.io.api.rbac.v1")).isEqualTo("rbac.authorization.k8s.io/v1");
    assertThat(KubernetesProtobuf.groupVersion("k8s.io.api.networking.v1")).isEqualTo("networking.k8s.io/v1");
  }

  @Test
  void goDurationsReadAsGoPrintsThem() {
    assertThat(KubernetesProtobuf.goDuration(0)).isEqualTo("0s");
    assertThat(KubernetesProtobuf.goDuration(1_500_000_000L)).isEqualTo("1.5s");
    assertThat(KubernetesProtobuf.goDuration(3_723_000_000_000L)).isEqualTo("1h2m3s");
    assertThat(KubernetesProtobuf.goDuration(300_000_000L)).isEqualTo("300ms");
  }

  @Test
  void bodiesThatAreNotKubernetesProtobufAreRefusedWithTheReason() {
    assertThatThrownBy(() -> KubernetesProtobuf.toJson("{}".getBytes()))
        .hasMessageContaining("does not start with the Kubernetes magic");
    assertThatThrownBy(() -> KubernetesProtobuf.toJson(envelope("example.com/v1", "Widget", Meta.Status.getDefaultInstance())))
        .hasMessage("no protobuf schema for example.com/v1, Kind=Widget");
  }
}
