package dev.tugboat.control.apiserver.resources;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ObjectListTest {

  private static byte[] json(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void theEncodedListIsItsTreeWithTheItemsAsGiven() {
    ObjectList list = new ObjectList("PodList", "v1");
    list.add(json("{\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\",\"labels\":{\"app\":\"é\"}}}"));
    list.add(json("{\"kind\":\"Pod\",\"metadata\":{\"name\":\"b\"}}"));
    list.resourceVersion(42);
    list.continueFrom("token", 7);
    byte[] encoded = list.encode();
    // the same JSON as the tree (numbers compared as text: the parsed count is an int, the tree's a long)
    assertThat(Codec.parseStored(encoded).toString()).isEqualTo(list.tree().toString());
    assertThat(new String(encoded, StandardCharsets.UTF_8)).isEqualTo("{\"kind\":\"PodList\",\"apiVersion\":\"v1\","
        + "\"metadata\":{\"resourceVersion\":\"42\",\"continue\":\"token\",\"remainingItemCount\":7},\"items\":["
        + "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\",\"labels\":{\"app\":\"é\"}}},"
        + "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"b\"}}]}");
  }

  @Test
  void anEmptyListHasAnEmptyItemsArray() {
    ObjectList list = new ObjectList("ConfigMapList", "v1");
    list.resourceVersion(3);
    assertThat(new String(list.encode(), StandardCharsets.UTF_8))
        .isEqualTo("{\"kind\":\"ConfigMapList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"3\"},"
            + "\"items\":[]}");
  }
}
