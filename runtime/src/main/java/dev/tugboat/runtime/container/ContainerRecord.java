package dev.tugboat.runtime.container;

import java.util.Map;

/**
 * What a container's state directory remembers (state.json), so that any later JVM can find the container: its
 * process (pid plus the kernel's start time of that pid, which tells a reused pid apart) and how it was made.
 */
/** cgroupPath: below the tugboat parent, null without cgroup support. */
public record ContainerRecord(String id, String bundle, String rootfs, int pid, long pidStartTime, String created,
    Map<String, String> annotations, String cgroupPath, boolean initMode) {}
