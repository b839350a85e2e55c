package dev.tugboat.control.apiserver.resources;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class StoredJsonTest {

  private static String splice(String stored, long revision) {
    byte[] out = StoredJson.withResourceVersion(stored.getBytes(StandardCharsets.UTF_8), revision);
    return out == null ? null : new String(out, StandardCharsets.UTF_8);
  }

  @Test
  void resourceVersionBecomesTheFirstFieldOfMetadata() {
    assertThat(splice("{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"labels\":{\"a\":\"b\"}},\"spec\":{}}", 42))
        .isEqualTo("{\"kind\":\"Pod\",\"metadata\":{\"resourceVersion\":\"42\",\"name\":\"p\",\"labels\":{\"a\":\"b\"}},"
            + "\"spec\":{}}");
  }

  @Test
  void emptyMetadataGetsNoTrailingComma() {
    assertThat(splice("{\"metadata\":{}}", 7)).isEqualTo("{\"metadata\":{\"resourceVersion\":\"7\"}}");
    assertThat(splice("{\"metadata\" : { } }", 7)).isEqualTo("{\"metadata\" : {\"resourceVersion\":\"7\" } }");
  }

  @Test
  void metadataAfterNestedValuesIsFoundAtTheTopLevelOnly() {
    String stored = "{\"spec\":{\"template\":{\"metadata\":{\"name\":\"inner\"}},\"list\":[{\"metadata\":{}}]},"
        + "\"status\":\"x\",\"metadata\":{\"name\":\"outer\"}}";
    String served = splice(stored, 9);
    JsonNode tree = Codec.JSON.readTree(served);
    assertThat(tree.path("metadata").path("resourceVersion").asString()).isEqualTo("9");
    assertThat(tree.path("metadata").path("name").asString()).isEqualTo("outer");
    assertThat(tree.path("spec").path("template").path("metadata").has("resourceVersion")).isFalse();
    assertThat(tree.path("spec").path("list").get(0).path("metadata").has("resourceVersion")).isFalse();
  }

  @Test
  void multibyteTextBeforeMetadataKeepsTheSpliceInPlace() {
    String served = splice("{\"note\":\"héllo ✓ 日本\",\"metadata\":{\"name\":\"ü\"}}", 3);
    assertThat(served).isEqualTo("{\"note\":\"héllo ✓ 日本\",\"metadata\":{\"resourceVersion\":\"3\",\"name\":\"ü\"}}");
  }

  @Test
  void servedBytesDecodeToTheStoredObjectWithItsResourceVersion() {
    ObjectNode stored = Codec.parseStored(("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\","
        + "\"namespace\":\"default\",\"annotations\":{\"k\":\"v\"}},\"spec\":{\"containers\":[{\"name\":\"c\"}]}}")
        .getBytes(StandardCharsets.UTF_8));
    JsonNode served = Codec.JSON.readTree(StoredJson.withResourceVersion(Codec.encode(stored), 123456789012L));
    ObjectNode expected = stored.deepCopy();
    Tree.metadata(expected).put("resourceVersion", "123456789012");
    assertThat(served).isEqualTo(expected);
  }

  @Test
  void noSpliceWhereTheTreeMustDecide() {
    assertThat(splice("{\"kind\":\"Pod\"}", 1)).as("no metadata").isNull();
    assertThat(splice("{\"metadata\":null}", 1)).as("metadata not an object").isNull();
    assertThat(splice("{\"metadata\":[]}", 1)).as("metadata an array").isNull();
    assertThat(splice("{\"metadata\":{\"name\":\"p\",\"resourceVersion\":\"5\"}}", 1)).as("already has one").isNull();
    assertThat(splice("[1,2]", 1)).as("not an object").isNull();
    assertThat(splice("{\"metadata\":{\"name\":", 1)).as("truncated").isNull();
    assertThat(splice("", 1)).as("empty").isNull();
  }
}
