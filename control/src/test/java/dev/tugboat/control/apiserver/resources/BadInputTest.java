package dev.tugboat.control.apiserver.resources;

import static dev.tugboat.control.apiserver.resources.ApiClient.call;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class BadInputTest {

  private final ApiClient client = new ApiClient();

  @AfterEach
  void close() {
    client.close();
  }

  @Test
  void malformedJsonIsABadRequestNamingTheProblem() {
    ApiClient.Reply reply = client.create("pods", "default", "{\"metadata\": {\"name\": \"x\",}");
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.reason()).isEqualTo("BadRequest");
    assertThat(reply.message()).startsWith("request body is not valid JSON").contains("line 1");
  }

  @Test
  void malformedYamlIsABadRequest() {
    ApiClient.Reply reply = client.send(call("create", "configmaps", "default", null)
        .contentType("application/yaml").body("metadata:\n  name: [x\n"));
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.message()).startsWith("request body is not valid YAML");
  }

  @Test
  void yamlBodiesAreAccepted() {
    ApiClient.Reply reply = client.send(call("create", "configmaps", "default", null)
        .contentType("application/yaml").body("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\ndata:\n  k: v\n"));
    assertThat(reply.status()).isEqualTo(201);
    assertThat(reply.body().path("data").path("k").asString()).isEqualTo("v");
  }

  @Test
  void aFieldOfTheWrongTypeIsABadRequest() {
    ApiClient.Reply reply = client.create("apps/v1/deployments", "default", """
        {"metadata":{"name":"d"},"spec":{"replicas":{"many":true},"selector":{"matchLabels":{"a":"b"}},
         "template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}""");
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.message()).startsWith("Deployment in version \"v1\" cannot be handled as a Deployment");
  }

  @Test
  void unknownResourcesAreNotFound() {
    ApiClient.Reply reply = client.send(call("list", "widgets", "default", null));
    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.message()).isEqualTo("the server could not find the requested resource");
  }

  @Test
  void aKindThatDoesNotMatchTheUrlIsABadRequest() {
    ApiClient.Reply reply = client.create("configmaps", "default",
        "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"x\"}}");
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.message()).contains("does not match").contains("ConfigMap");
    ApiClient.Reply version = client.create("configmaps", "default",
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\"}}");
    assertThat(version.status()).isEqualTo(400);
    assertThat(version.message()).isEqualTo("the API version in the data (apps/v1) does not match the expected API "
        + "version (v1)");
  }

  @Test
  void invalidNamesAreRejectedWithKubernetesMessages() {
    ApiClient.Reply reply = client.create("configmaps", "default", "{\"metadata\":{\"name\":\"Bad_Name\"}}");
    assertThat(reply.status()).isEqualTo(422);
    assertThat(reply.reason()).isEqualTo("Invalid");
    assertThat(reply.message()).isEqualTo("ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: "
        + "\"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
        + "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
        + "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
    JsonNode cause = reply.body().path("details").path("causes").get(0);
    assertThat(cause.path("field").asString()).isEqualTo("metadata.name");
    assertThat(cause.path("reason").asString()).isEqualTo("FieldValueInvalid");
  }

  @Test
  void everyInvalidFieldIsACause() {
    ApiClient.Reply reply = client.create("pods", "default", """
        {"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"},{"name":"c","image":"i",
          "ports":[{"containerPort":70000}]}]}}""");
    assertThat(reply.status()).isEqualTo(422);
    assertThat(reply.message()).isEqualTo("Pod \"p\" is invalid: [spec.containers[0].image: Required value, "
        + "spec.containers[1].name: Duplicate value: \"c\", spec.containers[1].ports[0].containerPort: Invalid "
        + "value: 70000: must be between 1 and 65535, inclusive]");
    assertThat(reply.body().path("details").path("causes")).hasSize(3);
  }

  @Test
  void patchOfAMissingObjectIsNotFound() {
    ApiClient.Reply reply = client.patch("configmaps", "default", "ghost", "application/merge-patch+json",
        "{\"data\":{\"a\":\"b\"}}");
    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.message()).isEqualTo("configmaps \"ghost\" not found");
  }

  @Test
  void unknownPatchTypesAndServerSideApplyAreUnsupportedMediaTypes() {
    client.create("configmaps", "default", "{\"metadata\":{\"name\":\"cm\"}}");
    ApiClient.Reply unknown = client.patch("configmaps", "default", "cm", "text/plain", "x");
    assertThat(unknown.status()).isEqualTo(415);
    ApiClient.Reply apply = client.patch("configmaps", "default", "cm", "application/apply-patch+yaml", "x: y");
    assertThat(apply.status()).isEqualTo(415);
    assertThat(apply.message()).contains("server-side apply");
  }

  @Test
  void aJsonPatchThatDoesNotApplyIsUnprocessable() {
    client.create("configmaps", "default", "{\"metadata\":{\"name\":\"cm\"},\"data\":{\"a\":\"1\"}}");
    ApiClient.Reply failed = client.patch("configmaps", "default", "cm", "application/json-patch+json",
        "[{\"op\":\"test\",\"path\":\"/data/a\",\"value\":\"2\"}]");
    assertThat(failed.status()).isEqualTo(422);
    ApiClient.Reply malformed = client.patch("configmaps", "default", "cm", "application/json-patch+json",
        "{\"op\":\"add\"}");
    assertThat(malformed.status()).isEqualTo(400);
    ApiClient.Reply applied = client.patch("configmaps", "default", "cm", "application/json-patch+json",
        "[{\"op\":\"replace\",\"path\":\"/data/a\",\"value\":\"2\"}]");
    assertThat(applied.body().path("data").path("a").asString()).isEqualTo("2");
  }

  @Test
  void aNameInTheBodyThatDiffersFromTheUrlIsABadRequest() {
    client.create("configmaps", "default", "{\"metadata\":{\"name\":\"cm\"}}");
    ApiClient.Reply reply = client.update("configmaps", "default", "cm",
        ApiClient.json("{\"metadata\":{\"name\":\"other\"}}"));
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.message()).isEqualTo("the name of the object (other) does not match the name on the URL (cm)");
  }

  @Test
  void badDryRunValuesAreRejected() {
    ApiClient.Reply reply = client.send(call("create", "configmaps", "default", null).q("dryRun", "Some")
        .body("{\"metadata\":{\"name\":\"cm\"}}"));
    assertThat(reply.status()).isEqualTo(400);
  }

  @Test
  void deploymentSelectorMustMatchTemplateAndIsImmutable() {
    ApiClient.Reply mismatch = client.create("apps/v1/deployments", "default", """
        {"metadata":{"name":"d"},"spec":{"selector":{"matchLabels":{"app":"a"}},
         "template":{"metadata":{"labels":{"app":"b"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}""");
    assertThat(mismatch.status()).isEqualTo(422);
    assertThat(mismatch.message()).contains("spec.template.metadata.labels").contains("`selector` does not match "
        + "template `labels`");
    client.create("apps/v1/deployments", "default", """
        {"metadata":{"name":"d"},"spec":{"selector":{"matchLabels":{"app":"a"}},
         "template":{"metadata":{"labels":{"app":"a","v":"1"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}""");
    ApiClient.Reply changed = client.patch("apps/v1/deployments", "default", "d", "application/merge-patch+json",
        "{\"spec\":{\"selector\":{\"matchLabels\":{\"v\":\"1\"}}}}");
    assertThat(changed.status()).isEqualTo(422);
    assertThat(changed.message()).contains("spec.selector").contains("field is immutable");
  }

  @Test
  void createOfANamespacedKindWithoutANamespaceUsesTheBodysOrIsABadRequest() {
    ApiClient.Reply none = client.create("configmaps", null, "{\"metadata\":{\"name\":\"cm\"}}");
    assertThat(none.status()).isEqualTo(400);
    assertThat(none.message()).startsWith("a namespace is required to create configmaps");
    ApiClient.Reply fromBody = client.create("configmaps", null,
        "{\"metadata\":{\"name\":\"cm\",\"namespace\":\"kube-system\"}}");
    assertThat(fromBody.status()).isEqualTo(201);
    assertThat(fromBody.body().at("/metadata/namespace").asString()).isEqualTo("kube-system");
  }
}
