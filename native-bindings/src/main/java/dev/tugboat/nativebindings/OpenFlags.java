package dev.tugboat.nativebindings;

import java.util.LinkedHashMap;
import java.util.Map;

/** Names of open(2) flags for error messages. */
final class OpenFlags {
  private static final Map<Long, String> NAMES = new LinkedHashMap<>();

  static {
    NAMES.put((long) Linux.O_WRONLY, "O_WRONLY");
    NAMES.put((long) Linux.O_RDWR, "O_RDWR");
    NAMES.put((long) Linux.O_CREAT, "O_CREAT");
    NAMES.put((long) Linux.O_EXCL, "O_EXCL");
    NAMES.put((long) Linux.O_NOCTTY, "O_NOCTTY");
    NAMES.put((long) Linux.O_TRUNC, "O_TRUNC");
    NAMES.put((long) Linux.O_APPEND, "O_APPEND");
    NAMES.put((long) Linux.O_NONBLOCK, "O_NONBLOCK");
    NAMES.put((long) Linux.O_DIRECTORY, "O_DIRECTORY");
    NAMES.put((long) Linux.O_CLOEXEC, "O_CLOEXEC");
    NAMES.put((long) Linux.O_PATH, "O_PATH");
  }

  private OpenFlags() {}

  static String names(int flags) {
    if ((flags & 3) == 0) {
      String rest = FlagNames.of(flags, NAMES);
      return rest.equals("0") ? "O_RDONLY" : "O_RDONLY|" + rest;
    }
    return FlagNames.of(flags, NAMES);
  }
}
