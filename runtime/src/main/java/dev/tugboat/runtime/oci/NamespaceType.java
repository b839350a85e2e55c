package dev.tugboat.runtime.oci;

import dev.tugboat.nativebindings.Linux;

/** The namespace types of linux.namespaces, with their clone flag and /proc/PID/ns file name. */
public enum NamespaceType {
  PID("pid", Linux.CLONE_NEWPID, "pid"),
  NETWORK("network", Linux.CLONE_NEWNET, "net"),
  MOUNT("mount", Linux.CLONE_NEWNS, "mnt"),
  IPC("ipc", Linux.CLONE_NEWIPC, "ipc"),
  UTS("uts", Linux.CLONE_NEWUTS, "uts"),
  USER("user", Linux.CLONE_NEWUSER, "user"),
  CGROUP("cgroup", Linux.CLONE_NEWCGROUP, "cgroup");

  private final String specName;
  private final int cloneFlag;
  private final String procName;

  NamespaceType(String specName, int cloneFlag, String procName) {
    this.specName = specName;
    this.cloneFlag = cloneFlag;
    this.procName = procName;
  }

  public String specName() {
    return specName;
  }

  public int cloneFlag() {
    return cloneFlag;
  }

  /** The file under /proc/PID/ns/. */
  public String procName() {
    return procName;
  }

  public static NamespaceType fromSpec(String name) {
    for (NamespaceType t : values()) {
      if (t.specName.equals(name)) return t;
    }
    return null;
  }
}
