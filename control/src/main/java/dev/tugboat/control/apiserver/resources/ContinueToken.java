package dev.tugboat.control.apiserver.resources;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The opaque {@code continue} of a chunked list, shaped like Kubernetes' own: base64 of
 * {@code {"v":"meta.k8s.io/v1","rv":R,"start":"<key after the list prefix>"}}, so the next chunk reads the same
 * store revision from where the last one stopped.
 */
public record ContinueToken(long revision, String start) {

  public String encode() {
    ObjectNode node = Codec.NODES.objectNode();
    node.put("v", "meta.k8s.io/v1");
    node.put("rv", revision);
    node.put("start", start);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(Codec.encode(node));
  }

  public static ContinueToken decode(String token) {
    try {
      JsonNode node = Codec.JSON.readTree(Base64.getUrlDecoder().decode(token.replace('+', '-').replace('/', '_')
          .replace("=", "")));
      if (!"meta.k8s.io/v1".equals(node.path("v").asString(""))) {
        throw StatusError.badRequest("continue key is not valid: incorrect encoded start resourceVersion "
            + "(version meta.k8s.io/v1)");
      }
      long revision = node.path("rv").asLong(0);
      String start = node.path("start").asString("");
      if (revision <= 0 || start.isEmpty() || start.contains("..") || start.startsWith("/")) {
        throw StatusError.badRequest("continue key is not valid: invalid start or resourceVersion");
      }
      return new ContinueToken(revision, start);
    } catch (IllegalArgumentException | JacksonException e) {
      throw StatusError.badRequest("continue key is not valid: " + e.getMessage());
    }
  }

  static String startAfter(String key) {
    return key + "\u0000";
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
