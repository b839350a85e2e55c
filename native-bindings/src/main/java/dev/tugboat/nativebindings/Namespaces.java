package dev.tugboat.nativebindings;

import java.util.LinkedHashMap;
import java.util.Map;

/** Names of the CLONE_NEW* namespace flags. */
public final class Namespaces {
  private static final Map<Long, String> NAMES = new LinkedHashMap<>();

  static {
    NAMES.put((long) Linux.CLONE_NEWNS, "CLONE_NEWNS");
    NAMES.put((long) Linux.CLONE_NEWCGROUP, "CLONE_NEWCGROUP");
    NAMES.put((long) Linux.CLONE_NEWUTS, "CLONE_NEWUTS");
    NAMES.put((long) Linux.CLONE_NEWIPC, "CLONE_NEWIPC");
    NAMES.put((long) Linux.CLONE_NEWUSER, "CLONE_NEWUSER");
    NAMES.put((long) Linux.CLONE_NEWPID, "CLONE_NEWPID");
    NAMES.put((long) Linux.CLONE_NEWNET, "CLONE_NEWNET");
    NAMES.put((long) Linux.CLONE_FS, "CLONE_FS");
  }

  private Namespaces() {}

  public static String flagNames(int flags) {
    return FlagNames.of(flags & 0xffffffffL, NAMES);
  }
}
