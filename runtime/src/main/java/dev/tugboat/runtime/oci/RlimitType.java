package dev.tugboat.runtime.oci;

import java.util.List;

/** RLIMIT_* names in resource-number order (RLIMIT_CPU is 0), as config.json spells them. */
final class RlimitType {
  static final List<String> NAMES = List.of(
      "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS", "RLIMIT_NPROC",
      "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE",
      "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME");

  private RlimitType() {}

  static int resource(String name) {
    return NAMES.indexOf(name);
  }
}
