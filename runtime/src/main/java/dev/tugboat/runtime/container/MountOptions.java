package dev.tugboat.runtime.container;

import static dev.tugboat.nativebindings.MountFlags.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The options of a spec mount split the way mount(2) takes them: flags, propagation flags (a separate call), and the
 * filesystem-specific rest as the data string, as mount(8) does.
 *
 * @param flags MS_* flags for the mount call (MS_BIND and MS_REC for bind mounts)
 * @param clearedFlags flags an option explicitly turned off (rw, suid...), kept for the bind remount
 * @param propagation MS_PRIVATE/MS_SLAVE/MS_SHARED/MS_UNBINDABLE, possibly with MS_REC; 0 for none
 * @param data comma-joined filesystem options, or null
 */
public record MountOptions(long flags, long clearedFlags, long propagation, String data) {
  private static final Map<String, Long> SET = Map.ofEntries(
      Map.entry("ro", MS_RDONLY), Map.entry("nosuid", MS_NOSUID), Map.entry("nodev", MS_NODEV),
      Map.entry("noexec", MS_NOEXEC), Map.entry("sync", MS_SYNCHRONOUS), Map.entry("remount", MS_REMOUNT),
      Map.entry("mand", MS_MANDLOCK), Map.entry("dirsync", MS_DIRSYNC), Map.entry("noatime", MS_NOATIME),
      Map.entry("nodiratime", MS_NODIRATIME), Map.entry("bind", MS_BIND), Map.entry("rbind", MS_BIND | MS_REC),
      Map.entry("relatime", MS_RELATIME), Map.entry("strictatime", MS_STRICTATIME), Map.entry("lazytime", MS_LAZYTIME),
      Map.entry("nosymfollow", MS_NOSYMFOLLOW), Map.entry("silent", MS_SILENT));
  private static final Map<String, Long> CLEAR = Map.ofEntries(
      Map.entry("rw", MS_RDONLY), Map.entry("suid", MS_NOSUID), Map.entry("dev", MS_NODEV),
      Map.entry("exec", MS_NOEXEC), Map.entry("async", MS_SYNCHRONOUS), Map.entry("nomand", MS_MANDLOCK),
      Map.entry("atime", MS_NOATIME), Map.entry("diratime", MS_NODIRATIME), Map.entry("norelatime", MS_RELATIME),
      Map.entry("nostrictatime", MS_STRICTATIME), Map.entry("nolazytime", MS_LAZYTIME), Map.entry("loud", MS_SILENT),
      Map.entry("defaults", 0L));
  private static final Map<String, Long> PROPAGATION = Map.of(
      "private", MS_PRIVATE, "rprivate", MS_PRIVATE | MS_REC, "slave", MS_SLAVE, "rslave", MS_SLAVE | MS_REC,
      "shared", MS_SHARED, "rshared", MS_SHARED | MS_REC, "unbindable", MS_UNBINDABLE,
      "runbindable", MS_UNBINDABLE | MS_REC);

  public static MountOptions parse(String type, List<String> options) {
    long flags = "bind".equals(type) ? MS_BIND : 0;
    long cleared = 0;
    long propagation = 0;
    List<String> data = new ArrayList<>();
    for (String option : options) {
      Long f;
      if ((f = SET.get(option)) != null) {
        flags |= f;
        cleared &= ~f;
      } else if ((f = CLEAR.get(option)) != null) {
        flags &= ~f;
        cleared |= f;
      } else if ((f = PROPAGATION.get(option)) != null) {
        propagation = f;
      } else {
        data.add(option);
      }
    }
    return new MountOptions(flags, cleared, propagation, data.isEmpty() ? null : String.join(",", data));
  }

  public boolean bind() {
    return (flags & MS_BIND) != 0;
  }

  /** Flags a bind mount only takes on a second, remounting call (the first ignores all but MS_BIND|MS_REC). */
  public long bindRemountFlags() {
    return flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
  }
}
