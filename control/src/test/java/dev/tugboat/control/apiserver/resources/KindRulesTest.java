package dev.tugboat.control.apiserver.resources;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The kind-specific defaults and rules of the smaller kinds, through the API. */
class KindRulesTest {

  private final ApiClient client = new ApiClient();

  @AfterEach
  void close() {
    client.close();
  }

  @Test
  void endpointsAddressesMustBeIps() {
    ApiClient.Reply reply = client.create("endpoints", "default", "{\"metadata\":{\"name\":\"e\"},\"subsets\":[{"
        + "\"addresses\":[{\"ip\":\"not-an-ip\"}],\"ports\":[{\"port\":80}]}]}");
    assertThat(reply.status()).isEqualTo(422);
    assertThat(reply.message()).contains("subsets[0].addresses[0].ip: Invalid value: \"not-an-ip\"");
    ApiClient.Reply good = client.create("endpoints", "default", "{\"metadata\":{\"name\":\"e\"},\"subsets\":[{"
        + "\"addresses\":[{\"ip\":\"10.244.0.5\"}],\"ports\":[{\"port\":80}]}]}");
    assertThat(good.body().at("/subsets/0/ports/0/protocol").asString()).isEqualTo("TCP");
  }

  @Test
  void endpointSlicesNeedAnAddressTypeAndMatchingAddresses() {
    ApiClient.Reply missing = client.create("discovery.k8s.io/v1/endpointslices", "default",
        "{\"metadata\":{\"name\":\"s\"},\"endpoints\":[]}");
    assertThat(missing.status()).isEqualTo(422);
    assertThat(missing.message()).contains("addressType: Required value");
    ApiClient.Reply wrongFamily = client.create("discovery.k8s.io/v1/endpointslices", "default",
        "{\"metadata\":{\"name\":\"s\"},\"addressType\":\"IPv4\",\"endpoints\":[{\"addresses\":[\"fd00::1\"]}]}");
    assertThat(wrongFamily.status()).isEqualTo(422);
    assertThat(wrongFamily.message()).contains("endpoints[0].addresses[0]");
  }

  @Test
  void leasesMayBeCreatedByAnUpdateAsLeaderElectionDoes() {
    ApiClient.Reply created = client.update("coordination.k8s.io/v1/leases", "kube-system", "scheduler",
        ApiClient.json("{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":"
            + "\"scheduler\"},\"spec\":{\"holderIdentity\":\"a\",\"leaseDurationSeconds\":15}}"));
    assertThat(created.status()).isEqualTo(201);
    ApiClient.Reply invalid = client.patch("coordination.k8s.io/v1/leases", "kube-system", "scheduler",
        "application/merge-patch+json", "{\"spec\":{\"leaseDurationSeconds\":0}}");
    assertThat(invalid.status()).isEqualTo(422);
    ApiClient.Reply podUpdate = client.update("pods", "default", "ghost", ApiClient.json("{\"metadata\":{\"name\":"
        + "\"ghost\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}"));
    assertThat(podUpdate.status()).isEqualTo(404);
  }

  @Test
  void secretsFoldStringDataAndRequireBase64() {
    ApiClient.Reply secret = client.create("secrets", "default", "{\"metadata\":{\"name\":\"s\"},"
        + "\"stringData\":{\"password\":\"hunter2\"}}");
    assertThat(secret.status()).isEqualTo(201);
    assertThat(secret.body().at("/data/password").asString()).isEqualTo("aHVudGVyMg==");
    assertThat(secret.body().path("type").asString()).isEqualTo("Opaque");
    assertThat(secret.body().has("stringData")).isFalse();
    ApiClient.Reply notBase64 = client.create("secrets", "default", "{\"metadata\":{\"name\":\"t\"},"
        + "\"data\":{\"k\":\"***\"}}");
    assertThat(notBase64.status()).isIn(400, 422);
  }

  @Test
  void configMapKeysAreCheckedAndImmutableConfigMapsStayAsTheyAre() {
    ApiClient.Reply badKey = client.create("configmaps", "default", "{\"metadata\":{\"name\":\"c\"},"
        + "\"data\":{\"bad key\":\"v\"}}");
    assertThat(badKey.status()).isEqualTo(422);
    assertThat(badKey.message()).contains("data[bad key]: Invalid value: \"bad key\": a valid config key must");
    client.create("configmaps", "default", "{\"metadata\":{\"name\":\"frozen\"},\"immutable\":true,"
        + "\"data\":{\"a\":\"1\"}}");
    ApiClient.Reply changed = client.patch("configmaps", "default", "frozen", "application/merge-patch+json",
        "{\"data\":{\"a\":\"2\"}}");
    assertThat(changed.status()).isEqualTo(422);
    assertThat(changed.message()).contains("field is immutable when `immutable` is set");
  }

  @Test
  void nodeTaintsNeedAKnownEffect() {
    ApiClient.Reply reply = client.create("nodes", null, "{\"metadata\":{\"name\":\"n1\"},\"spec\":{\"taints\":["
        + "{\"key\":\"k\",\"effect\":\"Sometimes\"}]},\"status\":{\"conditions\":[{\"type\":\"Ready\","
        + "\"status\":\"True\"}]}}");
    assertThat(reply.status()).isEqualTo(422);
    assertThat(reply.message()).contains("spec.taints[0].effect: Unsupported value: \"Sometimes\"");
    ApiClient.Reply node = client.create("nodes", null, "{\"metadata\":{\"name\":\"n1\"},\"status\":{"
        + "\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}");
    assertThat(node.status()).isEqualTo(201);
    assertThat(node.body().at("/status/conditions/0/type").asString()).isEqualTo("Ready");
  }

  @Test
  void servicesRefuseUnknownTypesAndNeedPorts() {
    ApiClient.Reply reply = client.create("services", "default", "{\"metadata\":{\"name\":\"s\"},"
        + "\"spec\":{\"type\":\"Magic\"}}");
    assertThat(reply.status()).isEqualTo(422);
    assertThat(reply.message()).contains("spec.type: Unsupported value: \"Magic\"", "spec.ports: Required value");
    ApiClient.Reply badName = client.create("services", "default", "{\"metadata\":{\"name\":\"1svc\"},"
        + "\"spec\":{\"ports\":[{\"port\":80}]}}");
    assertThat(badName.message()).contains("a DNS-1035 label must consist of lower case alphanumeric characters");
  }

  @Test
  void eventsMustBeInTheNamespaceOfTheirObject() {
    ApiClient.Reply reply = client.create("events", "default", "{\"metadata\":{\"name\":\"e1\"},"
        + "\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"p\",\"namespace\":\"kube-system\"},\"type\":\"Normal\"}");
    assertThat(reply.status()).isEqualTo(422);
    assertThat(reply.message()).contains("involvedObject.namespace");
  }

  @Test
  void namespacesGetTheirNameLabel() {
    ApiClient.Reply ns = client.create("namespaces", null, "{\"metadata\":{\"name\":\"labelled\"}}");
    assertThat(ns.body().at("/metadata/labels/kubernetes.io~1metadata.name").asString()).isEqualTo("labelled");
  }
}
