package dev.tugboat.runtime.cgroups;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Creation and removal of cgroup directories, shared by both cgroup versions. */
final class CgroupDirectories {

    /** How long removal waits for exiting tasks to leave a cgroup before it reports EBUSY. */
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);

    private CgroupDirectories() {}

    /** A path below the parent: slash-separated names, no empty, "." or ".." segment, not absolute. */
    static String validateRelativePath(String relativePath) {
        if (relativePath == null || relativePath.isEmpty()) {
            throw new IllegalArgumentException("cgroup path: must not be empty");
        }
        for (String segment : relativePath.split("/", -1)) {
            if (!segment.matches("[A-Za-z0-9_.:@-]+") || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("cgroup path \"" + relativePath
                        + "\": each segment must be a plain name of letters, digits and _.:@-, was \"" + segment + "\"");
            }
        }
        return relativePath;
    }

    /**
     * Creates {@code root/parent/relativePath}, creating the missing ancestors on the way; the leaf must not exist.
     * Each directory created is passed to {@code onCreate} (which may fail) and then appended to {@code created}, so
     * the caller can remove exactly what was made.
     */
    static void mkdirs(Path root, String relativePath, Consumer<Path> onCreate, List<Path> created) {
        Path dir = root;
        String[] segments = relativePath.split("/");
        for (int i = 0; i < segments.length; i++) {
            dir = dir.resolve(segments[i]);
            boolean leaf = i == segments.length - 1;
            try {
                Files.createDirectory(dir);
            } catch (FileAlreadyExistsException e) {
                if (leaf) {
                    throw new CgroupException("mkdir " + dir + ": EEXIST (cgroup already exists)", e);
                }
                continue;
            } catch (IOException e) {
                throw CgroupException.of("mkdir " + dir, e);
            }
            created.add(dir);
            onCreate.accept(dir);
        }
    }

    /** Best-effort removal of directories just created, newest first, after a failure that is being reported. */
    static void removeCreated(List<Path> created, Throwable failure) {
        for (int i = created.size() - 1; i >= 0; i--) {
            try {
                Files.deleteIfExists(created.get(i));
            } catch (IOException e) {
                // A parent shared with a concurrent create stays: it is in use.
                if (!(e instanceof java.nio.file.DirectoryNotEmptyException) && !CgroupException.isErrno(e, "EBUSY")) {
                    failure.addSuppressed(CgroupException.of("rmdir " + created.get(i), e));
                }
            }
        }
    }

    /** rmdir(2) of a cgroup directory, retried while it is busy with exiting tasks; an absent directory is fine. */
    static void rmdir(Path dir) {
        Deadline deadline = new Deadline(DRAIN_TIMEOUT);
        while (true) {
            try {
                Files.delete(dir);
                return;
            } catch (NoSuchFileException e) {
                return;
            } catch (IOException e) {
                // EBUSY with no process listed means tasks are still exiting: worth waiting for. Listed processes
                // will not leave by themselves (that is killAll's job), so that fails at once.
                List<Integer> pids = CgroupFiles.readPids(dir.resolve("cgroup.procs"));
                if (!CgroupException.isErrno(e, "EBUSY") || !pids.isEmpty() || deadline.expired()) {
                    String why = !CgroupException.isErrno(e, "EBUSY") ? ""
                            : !pids.isEmpty() ? "; processes still in it: " + pids
                            : "; no process is listed, so exited ones not yet reaped (waited for) by their parent keep it busy";
                    throw new CgroupException("rmdir " + dir + ": " + CgroupException.errnoOf(e) + why, e);
                }
                deadline.pause();
            }
        }
    }

    static List<Path> distinct(List<Path> dirs) {
        List<Path> out = new ArrayList<>();
        for (Path dir : dirs) {
            if (!out.contains(dir)) {
                out.add(dir);
            }
        }
        return out;
    }
}
