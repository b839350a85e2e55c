package dev.tugboat.control.apiserver.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.apiserver.pki.CertificateAuthority;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real kubectl 1.32, unchanged, against the API server with the kubeconfig the server wrote. */
class KubectlAgainstApiServerTest {

  @TempDir
  static Path dataDir;
  static TestApiServer api;
  static Path admin;

  @BeforeAll
  static void start() throws Exception {
    api = new TestApiServer(dataDir);
    admin = api.server.kubeconfig();
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  @Test
  void serverWritesAnAdminKubeconfigWithEmbeddedCredentials() throws Exception {
    String kubeconfig = Files.readString(admin);
    assertThat(kubeconfig).contains("server: " + api.server.url(), "certificate-authority-data: ",
        "client-certificate-data: ", "client-key-data: ");
  }

  @Test
  void kubectlVersionShowsTheServerVersion() throws Exception {
    var result = TestApiServer.kubectl(admin, "version");
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.stdout()).contains("Server Version: v1.32.0-tugboat");
    assertThat(result.stderr()).doesNotContain("WARNING");
  }

  @Test
  void kubectlApiResourcesListsEveryServedResourceFromAggregatedDiscovery() throws Exception {
    var result = TestApiServer.kubectl(admin, "api-resources", "-v=6");
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.stdout().lines().map(l -> List.of(l.trim().split("\\s+"))))
        .contains(List.of("namespaces", "ns", "v1", "false", "Namespace"),
            List.of("configmaps", "cm", "v1", "true", "ConfigMap"),
            List.of("deployments", "deploy", "apps/v1", "true", "Deployment"));
    // kubectl 1.32 reads aggregated discovery: one request for /api, one for /apis, none per group version.
    assertThat(result.stderr()).contains("GET " + api.server.url() + "/api?").doesNotContain("/apis/apps/v1?");
  }

  @Test
  void kubectlGetListsNamespacesAndGetsOneByName() throws Exception {
    var list = TestApiServer.kubectl(admin, "get", "ns");
    assertThat(list.exitCode()).as(list.stderr()).isZero();
    assertThat(list.stdout()).contains("default", "kube-system");

    var one = TestApiServer.kubectl(admin, "get", "namespace", "default", "-o", "jsonpath={.metadata.name}");
    assertThat(one.stdout()).isEqualTo("default");

    var missing = TestApiServer.kubectl(admin, "get", "ns", "nope");
    assertThat(missing.exitCode()).isNotZero();
    assertThat(missing.stderr()).contains("Error from server (NotFound): namespaces \"nope\" not found");
  }

  @Test
  void kubectlApplyValidatesOnTheServerWithoutDownloadingOpenApiV2() throws Exception {
    Path manifest = dataDir.resolve("applied.yaml");
    Files.writeString(manifest, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: applied\n");
    var result = TestApiServer.kubectl(admin, "apply", "-f", manifest.toString(), "-v=6");
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.stdout()).contains("namespace/applied created");
    assertThat(result.stderr()).contains("fieldValidation=Strict").doesNotContain("/openapi/v2");
  }

  @Test
  void kubectlCreateSendsProtobufWhichTheServerReads() throws Exception {
    var result = TestApiServer.kubectl(admin, "create", "namespace", "from-protobuf", "-v=8");
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.stderr()).contains("Content-Type: application/vnd.kubernetes.protobuf");
    var created = TestApiServer.kubectl(admin, "get", "ns", "from-protobuf", "-o", "name");
    assertThat(created.stdout().trim()).isEqualTo("namespace/from-protobuf");
  }

  @Test
  void kubectlExplainReadsTheOpenApiV3Schema() throws Exception {
    var result = TestApiServer.kubectl(admin, "explain", "namespaces");
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.stdout()).contains("KIND:       Namespace", "VERSION:    v1", "metadata\t<ObjectMeta>");
    var nested = TestApiServer.kubectl(admin, "explain", "namespaces.spec");
    assertThat(nested.stdout()).as(nested.stderr()).contains("finalizers\t<[]string>");
  }

  @Test
  void kubectlWithAnUnknownTokenIsUnauthorized() throws Exception {
    var result = TestApiServer.kubectl(api.kubeconfigWithToken("unknown", "not-a-token"), "get", "ns");
    assertThat(result.stderr()).contains("error: You must be logged in to the server (Unauthorized)");
  }

  @Test
  void readOnlyTokenUserMayGetButNotCreate() throws Exception {
    Path viewer = api.kubeconfigWithToken("viewer", TestApiServer.VIEWER_TOKEN);
    var get = TestApiServer.kubectl(viewer, "get", "ns", "default", "-o", "name");
    assertThat(get.exitCode()).as(get.stderr()).isZero();
    assertThat(get.stdout().trim()).isEqualTo("namespace/default");

    var create = TestApiServer.kubectl(viewer, "create", "configmap", "x", "-n", "default");
    assertThat(create.exitCode()).isNotZero();
    assertThat(create.stderr()).contains("configmaps is forbidden: User \"viewer\" "
        + "cannot create resource \"configmaps\" in API group \"\" in the namespace \"default\"");

    var delete = TestApiServer.kubectl(viewer, "delete", "ns", "default");
    assertThat(delete.stderr()).contains("namespaces \"default\" is forbidden: User \"viewer\" cannot delete "
        + "resource \"namespaces\" in API group \"\" at the cluster scope");
  }

  @Test
  void tokenUserInSystemMastersMayCreate() throws Exception {
    Path alice = api.kubeconfigWithToken("alice", TestApiServer.ADMIN_TOKEN);
    Path manifest = dataDir.resolve("by-alice.yaml");
    Files.writeString(manifest, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: by-alice\n");
    var result = TestApiServer.kubectl(alice, "create", "-f", manifest.toString());
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.stdout()).contains("namespace/by-alice created");
  }

  @Test
  void kubectlAuthWhoamiNamesTheClientCertificatesUserAndGroups() throws Exception {
    var result = TestApiServer.kubectl(admin, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username} {.status.userInfo.groups}");
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.stdout()).isEqualTo("admin [\"system:masters\",\"system:authenticated\"]");
  }

  @Test
  void kubectlAuthCanIAnswersFromTheAuthorizerForImpersonatedUsers() throws Exception {
    assertThat(TestApiServer.kubectl(admin, "auth", "can-i", "create", "pods").stdout().trim()).isEqualTo("yes");
    assertThat(TestApiServer.kubectl(admin, "auth", "can-i", "create", "pods", "--as=bob").stdout().trim()).isEqualTo("no");
    assertThat(TestApiServer.kubectl(admin, "auth", "can-i", "watch", "pods", "--as=bob").stdout().trim()).isEqualTo("yes");
    var create = TestApiServer.kubectl(admin, "create", "namespace", "by-bob", "--as=bob", "--as-group=devs");
    assertThat(create.stderr()).contains("namespaces is forbidden: User \"bob\" cannot create resource \"namespaces\"");
  }

  @Test
  void onlySystemMastersMayImpersonate() throws Exception {
    Path viewer = api.kubeconfigWithToken("viewer-as", TestApiServer.VIEWER_TOKEN);
    var result = TestApiServer.kubectl(viewer, "get", "ns", "--as=admin");
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr()).contains("users \"admin\" is forbidden: User \"viewer\" cannot impersonate resource "
        + "\"users\" in API group \"\" at the cluster scope");
  }

  @Test
  void clientCertificateFromAnotherCaIsUnauthorized() throws Exception {
    CertificateAuthority other = CertificateAuthority.create("someone-else");
    var stranger = other.issueClient("admin", List.of("system:masters"));
    var result = TestApiServer.kubectl(api.kubeconfigWithForeignCertificate(other.certificateAndKey(), stranger),
        "get", "ns");
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr()).contains("error: You must be logged in to the server (Unauthorized)");
  }

  @Test
  void kubectlWatchStreamsEventsUntilTheRequestTimesOut() throws Exception {
    var result = TestApiServer.kubectl(admin, "get", "ns", "--watch", "--request-timeout=2s", "-o", "name");
    assertThat(result.stdout()).contains("namespace/default", "namespace/kube-system");
  }
}
