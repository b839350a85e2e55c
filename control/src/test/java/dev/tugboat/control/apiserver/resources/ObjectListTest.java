package dev.tugboat.control.apiserver.resources;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ObjectListTest {

  private static byte[] json(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Two items, one from the cache's direct memory and one from the store's bytes, as a list serves them. */
  private static ObjectList twoPods() {
    ObjectList list = new ObjectList("PodList", "v1");
    byte[] first = json("{\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\",\"labels\":{\"app\":\"é\"}}}");
    list.add(Unpooled.directBuffer(first.length).writeBytes(first));
    list.add(json("{\"kind\":\"Pod\",\"metadata\":{\"name\":\"b\"}}"));
    list.resourceVersion(42);
    list.continueFrom("token", 7);
    return list;
  }

  @Test
  void theEncodedListIsItsTreeWithTheItemsAsGiven() {
    byte[] encoded = twoPods().encode();
    // the same JSON as the tree (numbers compared as text: the parsed count is an int, the tree's a long)
    assertThat(Codec.parseStored(encoded).toString()).isEqualTo(twoPods().tree().toString());
    assertThat(new String(encoded, StandardCharsets.UTF_8)).isEqualTo("{\"kind\":\"PodList\",\"apiVersion\":\"v1\","
        + "\"metadata\":{\"resourceVersion\":\"42\",\"continue\":\"token\",\"remainingItemCount\":7},\"items\":["
        + "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\",\"labels\":{\"app\":\"é\"}}},"
        + "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"b\"}}]}");
  }

  @Test
  void encodingOrReadingTheListReleasesItsItems() {
    ByteBuf direct = Unpooled.directBuffer(2).writeBytes(json("{}"));
    ObjectList encoded = new ObjectList("PodList", "v1");
    encoded.add(direct.retain());
    encoded.encode();
    assertThat(direct.refCnt()).isEqualTo(1);
    ObjectList read = new ObjectList("PodList", "v1");
    read.add(direct);
    read.tree();
    assertThat(direct.refCnt()).isZero();
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
