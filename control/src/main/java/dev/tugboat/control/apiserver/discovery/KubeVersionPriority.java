package dev.tugboat.control.apiserver.discovery;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kubernetes' API version order: GA before beta before alpha, higher numbers first within each, anything that is
 * not a Kubernetes version last and alphabetically (v2 &lt; v1 &lt; v1beta2 &lt; v1beta1 &lt; v1alpha1 &lt; foo).
 */
record KubeVersionPriority(int stability, int major, int minor, String name) implements Comparable<KubeVersionPriority> {

  private static final Pattern VERSION = Pattern.compile("v(\\d+)(?:(alpha|beta)(\\d+))?");

  static KubeVersionPriority of(String version) {
    Matcher m = VERSION.matcher(version);
    if (!m.matches()) {
      return new KubeVersionPriority(3, 0, 0, version);
    }
    int stability = m.group(2) == null ? 0 : m.group(2).equals("beta") ? 1 : 2;
    int minor = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
    return new KubeVersionPriority(stability, Integer.parseInt(m.group(1)), minor, version);
  }

  @Override
  public int compareTo(KubeVersionPriority other) {
    if (stability != other.stability) {
      return Integer.compare(stability, other.stability);
    }
    if (major != other.major) {
      return Integer.compare(other.major, major);
    }
    if (minor != other.minor) {
      return Integer.compare(other.minor, minor);
    }
    return name.compareTo(other.name);
  }
}
