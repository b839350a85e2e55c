package dev.tugboat.control.apiserver.resources;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.apiserver.resources.kinds.ServiceAllocator;
import dev.tugboat.control.store.RangeRequest;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ServiceAllocationTest {

  private final ApiClient client = new ApiClient();

  @AfterEach
  void close() {
    client.close();
  }

  private static String service(String name, String type, String extra) {
    return "{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"type\":\"" + type + "\",\"selector\":{\"app\":\""
        + name + "\"},\"ports\":[{\"port\":80" + extra + "}]}}";
  }

  private boolean reserved(String key) {
    return !client.store.range(RangeRequest.key(key.getBytes(StandardCharsets.UTF_8))).join().kvs().isEmpty();
  }

  @Test
  void servicesGetDistinctClusterIpsFromTheServiceCidrAndReleaseThemOnDelete() {
    Set<String> ips = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      JsonNode svc = client.create("services", "default", service("s" + i, "ClusterIP", "")).body();
      String ip = svc.path("spec").path("clusterIP").asString();
      assertThat(ip).startsWith("10.");
      assertThat(svc.path("spec").path("clusterIPs").get(0).asString()).isEqualTo(ip);
      assertThat(svc.path("spec").path("ports").get(0).path("targetPort").asInt()).isEqualTo(80);
      assertThat(svc.path("spec").path("ports").get(0).path("protocol").asString()).isEqualTo("TCP");
      ips.add(ip);
    }
    assertThat(ips).hasSize(20).doesNotContain("10.96.0.1");
    String ip = client.get("services", "default", "s0").body().path("spec").path("clusterIP").asString();
    assertThat(reserved(ServiceAllocator.IP_PREFIX + ip)).isTrue();
    client.delete("services", "default", "s0");
    assertThat(reserved(ServiceAllocator.IP_PREFIX + ip)).isFalse();
  }

  @Test
  void aRequestedClusterIpThatIsTakenOrOutOfRangeIsInvalid() {
    ApiClient.Reply taken = client.create("services", "default", service("a", "ClusterIP", "")
        .replace("\"type\":\"ClusterIP\"", "\"type\":\"ClusterIP\",\"clusterIP\":\"10.96.0.1\""));
    assertThat(taken.status()).isEqualTo(422);
    assertThat(taken.message()).contains("spec.clusterIP: Invalid value: \"10.96.0.1\": provided IP is already "
        + "allocated");
    ApiClient.Reply outside = client.create("services", "default", service("b", "ClusterIP", "")
        .replace("\"type\":\"ClusterIP\"", "\"type\":\"ClusterIP\",\"clusterIP\":\"192.168.1.1\""));
    assertThat(outside.status()).isEqualTo(422);
    assertThat(outside.message()).contains("provided IP is not in the valid range. The range of valid IPs is "
        + "10.96.0.0/12");
  }

  @Test
  void nodePortServicesGetPortsInRangeAndReleaseThemWhenTheTypeChanges() {
    JsonNode svc = client.create("services", "default", service("np", "NodePort", "")).body();
    int nodePort = svc.path("spec").path("ports").get(0).path("nodePort").asInt();
    assertThat(nodePort).isBetween(30000, 32767);
    assertThat(svc.path("spec").path("externalTrafficPolicy").asString()).isEqualTo("Cluster");
    assertThat(reserved(ServiceAllocator.NODE_PORT_PREFIX + nodePort)).isTrue();
    ApiClient.Reply clash = client.create("services", "default", service("np2", "NodePort",
        ",\"nodePort\":" + nodePort));
    assertThat(clash.status()).isEqualTo(422);
    assertThat(clash.message()).contains("spec.ports[0].nodePort: Invalid value: " + nodePort
        + ": provided port is already allocated");
    ApiClient.Reply toClusterIp = client.patch("services", "default", "np", "application/merge-patch+json",
        "{\"spec\":{\"type\":\"ClusterIP\",\"externalTrafficPolicy\":null}}");
    assertThat(toClusterIp.status()).isEqualTo(200);
    assertThat(toClusterIp.body().path("spec").path("ports").get(0).has("nodePort")).isFalse();
    assertThat(reserved(ServiceAllocator.NODE_PORT_PREFIX + nodePort)).isFalse();
  }

  @Test
  void clusterIpIsImmutableAndKeptWhenAnUpdateOmitsIt() {
    JsonNode svc = client.create("services", "default", service("a", "ClusterIP", "")).body();
    String ip = svc.path("spec").path("clusterIP").asString();
    JsonNode replaced = ApiClient.json(service("a", "ClusterIP", ""));
    ApiClient.Reply kept = client.update("services", "default", "a", replaced);
    assertThat(kept.status()).isEqualTo(200);
    assertThat(kept.body().path("spec").path("clusterIP").asString()).isEqualTo(ip);
    ApiClient.Reply changed = client.patch("services", "default", "a", "application/merge-patch+json",
        "{\"spec\":{\"clusterIP\":\"10.96.0.77\",\"clusterIPs\":[\"10.96.0.77\"]}}");
    assertThat(changed.status()).isEqualTo(422);
    assertThat(changed.message()).contains("spec.clusterIP: Invalid value: \"10.96.0.77\": field is immutable");
  }

  @Test
  void headlessServicesGetNoClusterIp() {
    JsonNode svc = client.create("services", "default", service("h", "ClusterIP", "")
        .replace("\"type\":\"ClusterIP\"", "\"type\":\"ClusterIP\",\"clusterIP\":\"None\"")).body();
    assertThat(svc.path("spec").path("clusterIP").asString()).isEqualTo("None");
  }

  @Test
  void dryRunCreateReservesNothing() {
    ApiClient.Reply reply = client.send(ApiClient.call("create", "services", "default", null).q("dryRun", "All")
        .body(service("d", "NodePort", "")));
    assertThat(reply.status()).isEqualTo(201);
    String ip = reply.body().path("spec").path("clusterIP").asString();
    int port = reply.body().path("spec").path("ports").get(0).path("nodePort").asInt();
    assertThat(reserved(ServiceAllocator.IP_PREFIX + ip)).isFalse();
    assertThat(reserved(ServiceAllocator.NODE_PORT_PREFIX + port)).isFalse();
  }
}
