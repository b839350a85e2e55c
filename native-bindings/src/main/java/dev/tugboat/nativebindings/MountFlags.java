package dev.tugboat.nativebindings;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The MS_* flags of mount(2), and the names mount(8) options use for them. */
public final class MountFlags {
  public static final long MS_RDONLY = 1;
  public static final long MS_NOSUID = 2;
  public static final long MS_NODEV = 4;
  public static final long MS_NOEXEC = 8;
  public static final long MS_SYNCHRONOUS = 16;
  public static final long MS_REMOUNT = 32;
  public static final long MS_MANDLOCK = 64;
  public static final long MS_DIRSYNC = 128;
  public static final long MS_NOSYMFOLLOW = 256;
  public static final long MS_NOATIME = 1024;
  public static final long MS_NODIRATIME = 2048;
  public static final long MS_BIND = 4096;
  public static final long MS_MOVE = 8192;
  public static final long MS_REC = 16384;
  public static final long MS_SILENT = 32768;
  public static final long MS_UNBINDABLE = 1 << 17;
  public static final long MS_PRIVATE = 1 << 18;
  public static final long MS_SLAVE = 1 << 19;
  public static final long MS_SHARED = 1 << 20;
  public static final long MS_RELATIME = 1 << 21;
  public static final long MS_STRICTATIME = 1 << 24;
  public static final long MS_LAZYTIME = 1 << 25;

  private static final Map<Long, String> NAMES = new LinkedHashMap<>();

  static {
    for (java.lang.reflect.Field f : MountFlags.class.getFields()) {
      if (f.getName().startsWith("MS_")) {
        try {
          NAMES.put(f.getLong(null), f.getName());
        } catch (IllegalAccessException e) {
          throw new AssertionError(e);
        }
      }
    }
  }

  private MountFlags() {}

  public static String names(long flags) {
    return FlagNames.of(flags, Collections.unmodifiableMap(NAMES));
  }
}
