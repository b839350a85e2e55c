package dev.tugboat.runtime.cgroups;

/** One value for one control file; {@code controller} names the v1 hierarchy (or the v2 controller) it belongs to. */
public record CgroupFileWrite(String controller, String file, String value) {}
