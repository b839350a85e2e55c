package dev.tugboat.runtime.images;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** The data argument of {@code mount("overlay", target, "overlay", 0, data)} for an image's layers. */
public final class OverlayMountOptions {

    /** mount(2) passes the data in one page; longer option strings are cut off by the kernel. */
    static final int MAX_LENGTH = 4095;

    private OverlayMountOptions() {}

    /**
     * "lowerdir=TOP:...:BOTTOM,upperdir=UPPER,workdir=WORK"; {@code lowerDirsTopFirst} as
     * {@link ImageStore#lowerDirs} returns them. Without an upper dir the mount is read-only (lowerdir only).
     */
    public static String of(List<Path> lowerDirsTopFirst, Path upperDir, Path workDir) {
        if (lowerDirsTopFirst.isEmpty()) {
            throw new IllegalArgumentException("overlay: at least one lower directory is needed");
        }
        for (Path dir : lowerDirsTopFirst) {
            check(dir, "lowerdir");
        }
        StringBuilder data = new StringBuilder("lowerdir=")
                .append(lowerDirsTopFirst.stream().map(Path::toString).collect(Collectors.joining(":")));
        if (upperDir != null) {
            check(upperDir, "upperdir");
            check(workDir, "workdir");
            data.append(",upperdir=").append(upperDir).append(",workdir=").append(workDir);
        }
        if (data.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("overlay: mount options for " + lowerDirsTopFirst.size()
                    + " layers are " + data.length() + " bytes, over the kernel's " + MAX_LENGTH);
        }
        return data.toString();
    }

    // The option syntax has no escapes that every kernel accepts: a ',' or ':' in a path would split it.
    private static void check(Path dir, String option) {
        if (dir == null) {
            throw new IllegalArgumentException("overlay: " + option + " is missing");
        }
        String text = dir.toString();
        if (!dir.isAbsolute() || text.contains(",") || text.contains(":")) {
            throw new IllegalArgumentException("overlay: " + option + " \"" + text
                    + "\" must be an absolute path without ',' or ':'");
        }
    }
}
