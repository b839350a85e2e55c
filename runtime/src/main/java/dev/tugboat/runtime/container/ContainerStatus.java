package dev.tugboat.runtime.container;

import java.util.Locale;

/** The OCI runtime states. */
public enum ContainerStatus {
  CREATING, CREATED, RUNNING, PAUSED, STOPPED;

  /** As the OCI state JSON spells it. */
  public String specName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
