package dev.tugboat.runtime.cgroups;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where the cgroup hierarchies are mounted, read from /proc/self/mountinfo.
 *
 * @param v1 mount point of each cgroup v1 controller (co-mounted controllers share one mount point); named
 *           hierarchies such as {@code name=systemd} carry no controller and are left out
 * @param v2 mount point of the unified hierarchy, if mounted
 */
public record CgroupMounts(Map<String, Path> v1, Optional<Path> v2) {

    public CgroupMounts {
        v1 = Map.copyOf(v1);
    }

    public static CgroupMounts read() {
        Path mountinfo = Path.of("/proc/self/mountinfo");
        try {
            return parse(Files.readString(mountinfo));
        } catch (IOException e) {
            throw CgroupException.of("read " + mountinfo, e);
        }
    }

    /** Parses mountinfo(5): "id parent major:minor root mountpoint options [optional...] - fstype source superoptions". */
    public static CgroupMounts parse(String mountinfo) {
        Map<String, Path> v1 = new TreeMap<>();
        Path v2 = null;
        for (String line : mountinfo.split("\n")) {
            String[] fields = line.trim().split(" ");
            int separator = indexOf(fields, "-");
            if (separator < 5 || fields.length < separator + 4) {
                continue;
            }
            String fsType = fields[separator + 1];
            Path mountPoint = Path.of(unescape(fields[4]));
            if (fsType.equals("cgroup2")) {
                if (v2 == null) {
                    v2 = mountPoint;
                }
            } else if (fsType.equals("cgroup")) {
                for (String option : fields[separator + 3].split(",")) {
                    if (!NON_CONTROLLER_OPTIONS.contains(option) && !option.contains("=")) {
                        v1.putIfAbsent(option, mountPoint);
                    }
                }
            }
        }
        return new CgroupMounts(v1, Optional.ofNullable(v2));
    }

    // Superblock options of a v1 cgroup mount that are not controller names.
    private static final Set<String> NON_CONTROLLER_OPTIONS =
            Set.of("rw", "ro", "noprefix", "clone_children", "xattr", "cpuset_v2_mode", "favordynmods", "nofavordynmods");

    private static int indexOf(String[] fields, String wanted) {
        for (int i = 0; i < fields.length; i++) {
            if (fields[i].equals(wanted)) {
                return i;
            }
        }
        return -1;
    }

    // mountinfo escapes space, tab, newline and backslash as \ooo octal.
    private static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()
                    && field.substring(i + 1, i + 4).chars().allMatch(d -> d >= '0' && d <= '7')) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
