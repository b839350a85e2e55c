package dev.tugboat.control.apiserver.discovery;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** {@code /version}: the Kubernetes API version Tugboat serves, in version.Info's shape. */
public final class ServerVersion {

  public static final String MAJOR = "1";
  public static final String MINOR = "32";
  public static final String GIT_VERSION = "v1.32.0-tugboat";

  private ServerVersion() {}

  public static byte[] json() {
    ObjectNode node = JsonMapper.shared().createObjectNode();
    node.put("major", MAJOR);
    node.put("minor", MINOR);
    node.put("gitVersion", GIT_VERSION);
    node.put("gitCommit", "");
    node.put("gitTreeState", "clean");
    node.put("buildDate", "1970-01-01T00:00:00Z");
    node.put("goVersion", "java" + Runtime.version().feature());
    node.put("compiler", "javac");
    node.put("platform", System.getProperty("os.name").toLowerCase() + "/" + arch());
    return JsonMapper.shared().writeValueAsBytes(node);
  }

  private static String arch() {
    String arch = System.getProperty("os.arch");
    return switch (arch) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64" -> "arm64";
      default -> arch;
    };
  }
}
