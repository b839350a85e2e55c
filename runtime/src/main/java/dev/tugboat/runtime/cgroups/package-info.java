/**
 * Control groups for containers, cgroup v1 and v2 behind one interface.
 *
 * <p>{@link dev.tugboat.runtime.cgroups.CgroupDriver#detect()} picks the version this machine uses (v2 only when the
 * unified hierarchy offers cpu, memory and pids; these hybrid machines get v1).
 * {@link dev.tugboat.runtime.cgroups.CgroupDriver#create} makes {@code tugboat/<path>} in every hierarchy and writes
 * the {@link dev.tugboat.runtime.cgroups.CgroupLimits}; the returned {@link dev.tugboat.runtime.cgroups.Cgroup} takes
 * processes, reports stats and OOM kills, kills everything in it and deletes itself. Every cgroup lives below the
 * {@code tugboat} parent; errors name the file, the value and the errno.
 */
package dev.tugboat.runtime.cgroups;
