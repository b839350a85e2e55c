package dev.tugboat.runtime.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.runtime.images.ImageConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class PodContainerSpecTest {

  private static final ImageConfig IMAGE = new ImageConfig("linux", "amd64", null,
      List.of("PATH=/bin", "GREETING=hello"), List.of("/entry"), List.of("default", "args"), "/srv", null);
  private static final Pod POD = new PodBuilder().withNewMetadata().withName("web").withNamespace("ns")
      .withUid("u-1").endMetadata().build();

  private static Container container(List<String> command, List<String> args) {
    return new ContainerBuilder().withName("c").withImage("img").withCommand(command).withArgs(args).build();
  }

  @Test
  void commandAndArgsFollowKubernetesRulesOverTheImage() {
    assertThat(PodContainerSpec.argv(container(List.of(), List.of()), IMAGE)).containsExactly("/entry", "default", "args");
    assertThat(PodContainerSpec.argv(container(List.of(), List.of("x")), IMAGE)).containsExactly("/entry", "x");
    // A command replaces the entrypoint and drops the image's cmd.
    assertThat(PodContainerSpec.argv(container(List.of("sh"), List.of()), IMAGE)).containsExactly("sh");
    assertThat(PodContainerSpec.argv(container(List.of("sh"), List.of("-c", "true")), IMAGE))
        .containsExactly("sh", "-c", "true");
  }

  @Test
  void envTakesTheImagesThenTheContainersWithDollarParenthesesExpanded() {
    Container c = new ContainerBuilder().withName("c").addNewEnv().withName("GREETING").withValue("hi").endEnv()
        .addNewEnv().withName("MSG").withValue("$(GREETING) there $(UNSET) $$(GREETING)").endEnv().build();
    assertThat(PodContainerSpec.env(POD, c, IMAGE)).containsExactly("PATH=/bin", "GREETING=hi", "HOSTNAME=web",
        "MSG=hi there $(UNSET) $(GREETING)");
    assertThat(PodContainerSpec.expand("$(A)$(B", Map.of("A", "1"))).isEqualTo("1$(B");
  }

  @Test
  void theFirstContainerMakesThePodsNamespacesAndTheOthersJoinThem() {
    ObjectNode first = PodContainerSpec.of(POD, container(List.of("sh"), List.of()), IMAGE, 0, "/tugboat/u-1_c_0");
    assertThat(first.path("hostname").asString()).isEqualTo("web");
    assertThat(first.path("linux").path("namespaces").toString()).doesNotContain("path");
    assertThat(first.path("process").path("cwd").asString()).isEqualTo("/srv");
    assertThat(first.path("root").path("readonly").asBoolean()).isFalse();
    assertThat(first.path("linux").path("cgroupsPath").asString()).isEqualTo("/tugboat/u-1_c_0");

    ObjectNode second = PodContainerSpec.of(POD, container(List.of("sh"), List.of()), IMAGE, 4242, "/tugboat/u-1_d_0");
    assertThat(second.has("hostname")).isFalse();
    assertThat(second.path("linux").path("namespaces").toString())
        .contains("\"type\":\"network\",\"path\":\"/proc/4242/ns/net\"", "\"type\":\"ipc\",\"path\":\"/proc/4242/ns/ipc\"",
            "\"type\":\"uts\",\"path\":\"/proc/4242/ns/uts\"")
        .contains("{\"type\":\"pid\"}", "{\"type\":\"mount\"}");
  }

  @Test
  void limitsAndRequestsBecomeCgroupValuesAsKubeletSetsThem() {
    Container c = new ContainerBuilder().withName("c").withNewResources()
        .addToLimits("memory", new io.fabric8.kubernetes.api.model.Quantity("64Mi"))
        .addToLimits("cpu", new io.fabric8.kubernetes.api.model.Quantity("500m"))
        .addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity("250m")).endResources().build();
    tools.jackson.databind.JsonNode resources = PodContainerSpec.of(POD, c, IMAGE, 0, "/tugboat/x").path("linux")
        .path("resources");
    assertThat(resources.path("memory").path("limit").asLong()).isEqualTo(64L * 1024 * 1024);
    assertThat(resources.path("cpu").path("quota").asLong()).isEqualTo(50_000);
    assertThat(resources.path("cpu").path("period").asLong()).isEqualTo(100_000);
    assertThat(resources.path("cpu").path("shares").asLong()).isEqualTo(256);
    assertThat(PodContainerSpec.of(POD, container(List.of("sh"), List.of()), IMAGE, 0, "/tugboat/x").path("linux")
        .has("resources")).isFalse();
  }

  @Test
  void fieldRefsOfTheDownwardApiAreResolvedAndWhatCannotRunIsNamed() {
    Pod pod = new PodBuilder().withNewMetadata().withName("web").withNamespace("ns").withUid("u-1").endMetadata()
        .withNewSpec().withNodeName("n1").endSpec().build();
    Container c = new ContainerBuilder().withName("c").addNewEnv().withName("NODE").withNewValueFrom()
        .withNewFieldRef().withFieldPath("spec.nodeName").endFieldRef().endValueFrom().endEnv().build();
    assertThat(PodContainerSpec.env(pod, c, IMAGE)).contains("NODE=n1");
    assertThat(PodContainerSpec.unsupported(pod, c)).isNull();

    Container secret = new ContainerBuilder().withName("c").addNewEnv().withName("PASSWORD").withNewValueFrom()
        .withNewSecretKeyRef().withName("s").withKey("k").endSecretKeyRef().endValueFrom().endEnv().build();
    assertThat(PodContainerSpec.unsupported(pod, secret)).startsWith("env PASSWORD: valueFrom:");
    Container mounts = new ContainerBuilder().withName("c").addNewVolumeMount().withName("v").withMountPath("/v")
        .endVolumeMount().build();
    assertThat(PodContainerSpec.unsupported(pod, mounts)).isEqualTo("volumeMounts v: the pod has no volume of that name");
    Pod hostPath = new PodBuilder(pod).editSpec().addNewVolume().withName("v").withNewHostPath().withPath("/etc")
        .endHostPath().endVolume().endSpec().build();
    assertThat(PodContainerSpec.unsupported(hostPath, mounts))
        .isEqualTo("volume v: this node agent mounts only emptyDir volumes yet");
    Pod withInit = new PodBuilder(pod).editSpec().addNewInitContainer().withName("i").endInitContainer().endSpec().build();
    assertThat(PodContainerSpec.unsupported(withInit, c)).startsWith("spec.initContainers:");
  }

  @Test
  void emptyDirVolumesAreBoundAtTheirMountPaths() {
    Pod pod = new PodBuilder(POD).withNewSpec().addNewVolume().withName("scratch").withNewEmptyDir().endEmptyDir()
        .endVolume().endSpec().build();
    Container c = new ContainerBuilder().withName("c").addNewVolumeMount().withName("scratch").withMountPath("/data")
        .withReadOnly(true).endVolumeMount().build();
    assertThat(PodContainerSpec.unsupported(pod, c)).isNull();
    assertThat(PodContainerSpec.emptyDirs(pod, c)).containsExactly("scratch");
    ObjectNode spec = PodContainerSpec.of(pod, c, IMAGE, 0, "/tugboat/x", Map.of("scratch", java.nio.file.Path.of("/var/x")));
    assertThat(spec.path("mounts").toString())
        .contains("{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/var/x\",\"options\":[\"rbind\",\"ro\"]}");
  }
}
