package dev.tugboat.runtime.cgroups;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Empty v1 cgroups made ahead on a background executor, kept directly below the tugboat parent as {@code
 * .spare-<random>} in each hierarchy a cgroup is made in; create renames one into place. Measured here: a mkdir in
 * each of the five hierarchies took 0.18-0.36 ms, a rename 0.05-0.09 ms. A spare is exactly what mkdir makes (a
 * renamed cgroup keeps no trace of its old name), but only below the parent itself: v1 renames a cgroup only within
 * its parent, and spares in a pod's cgroup would keep that from being removed. cgroup v2 has none (it cannot rename
 * a cgroup).
 *
 * <p>A deleted cgroup leaves the same way: renamed to {@code .trash-<random>}, removed on the background executor.
 * A JVM that ends without {@link #close} leaves its spares and trash; the next one adopts the spares and removes the
 * trash.
 */
final class SpareCgroups implements AutoCloseable {
    static final String PREFIX = ".spare-";
    static final String TRASH_PREFIX = ".trash-";

    private final List<Path> parents;
    private final int keep;
    private final Executor background;
    private final ConcurrentLinkedQueue<String> names = new ConcurrentLinkedQueue<>();
    /** Spares being made. */
    private final AtomicInteger making = new AtomicInteger();
    private final AtomicInteger takes = new AtomicInteger();
    private volatile boolean adopted;
    private volatile boolean closed;

    /** @param parents the tugboat parent in each hierarchy a spare is made in */
    SpareCgroups(List<Path> parents, int keep, Executor background) {
        this.parents = List.copyOf(parents);
        this.keep = keep;
        this.background = background;
    }

    /** Whether the cgroup {@code relativePath}, made in exactly the hierarchies mounted at {@code mounts}, can be a spare. */
    boolean covers(String relativePath, List<Path> mounts) {
        return !relativePath.contains("/") && mounts.size() == parents.size()
                && mounts.stream().allMatch(m -> parents.contains(m.resolve(CgroupDriver.PARENT)));
    }

    /**
     * Deletes the empty cgroup {@code relativePath} in {@code directories} by renaming it to {@code .trash-<random>}
     * (in each hierarchy: 0.04-0.06 ms, where rmdir took 0.08-0.13 ms) and leaving the rmdir to the background executor.
     * Returns false, having done nothing, when it is not one of the cgroups spares cover or a process is in it: then
     * the caller removes it itself (and reports a cgroup that stays busy).
     */
    boolean discard(String relativePath, List<Path> directories) {
        if (closed || relativePath.contains("/") || directories.size() != parents.size()
                || !directories.stream().allMatch(d -> parents.contains(d.getParent()))
                || !CgroupFiles.readPids(directories.get(0).resolve("cgroup.procs")).isEmpty()) {
            return false;
        }
        String trash = TRASH_PREFIX + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        List<Path> moved = new ArrayList<>(directories.size());
        try {
            for (Path dir : directories) {
                Path target = dir.resolveSibling(trash);
                Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
                moved.add(target);
            }
        } catch (IOException e) {
            // The caller removes what is left under the old name; what moved goes as trash.
            if (moved.isEmpty()) return false;
        }
        background.execute(() -> moved.forEach(SpareCgroups::rmdirQuietly));
        return moved.size() == directories.size();
    }

    /**
     * Renames a spare to {@code name} in every hierarchy; returns the new directories, or an empty list when there is
     * no spare. Starts making more, from the second call on.
     *
     * @throws CgroupException naming EEXIST when a cgroup {@code name} exists (the spare is kept)
     */
    List<Path> take(String name) {
        // From the second cgroup on: a process that makes one (a CLI run) would only pay for spares it never uses.
        if (takes.incrementAndGet() > 1) refill();
        for (String spare; (spare = names.poll()) != null; ) {
            List<Path> moved = new ArrayList<>(parents.size());
            try {
                for (Path parent : parents) {
                    Path target = parent.resolve(name);
                    Files.move(parent.resolve(spare), target, StandardCopyOption.ATOMIC_MOVE);
                    moved.add(target);
                }
                return moved;
            } catch (IOException e) {
                boolean back = moveBack(moved, spare);
                if (e instanceof FileAlreadyExistsException) {
                    if (back) names.add(spare);
                    throw new CgroupException("mkdir " + e.getMessage() + ": EEXIST (cgroup already exists)", e);
                }
                // Gone at the first hierarchy: another JVM over the same parent (which adopted it too) is taking it,
                // and removing it in the hierarchies it has not reached yet would make that take fail too. Else
                // broken (gone further down, or refused): removed. Either way, the next one.
                boolean takenByAnother = moved.isEmpty() && e instanceof NoSuchFileException;
                if (back && !takenByAnother) removeQuietly(spare);
            }
        }
        return List.of();
    }

    private static boolean moveBack(List<Path> moved, String spare) {
        try {
            for (Path dir : moved) Files.move(dir, dir.resolveSibling(spare), StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Tops the spares up to {@link #keep}. */
    private void refill() {
        while (true) {
            int n = making.get();
            if (closed || names.size() + n >= keep) return;
            if (making.compareAndSet(n, n + 1)) background.execute(this::makeOne);
        }
    }

    private void makeOne() {
        try {
            if (!adopted) adopt();
            if (closed || names.size() >= keep) return;
            String name = PREFIX + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
            List<Path> made = new ArrayList<>();
            try {
                for (Path parent : parents) {
                    Files.createDirectories(parent);
                    made.add(Files.createDirectory(parent.resolve(name)));
                }
            } catch (IOException e) {
                // Without spares, create makes its cgroups itself.
                made.forEach(SpareCgroups::rmdirQuietly);
                return;
            }
            names.add(name);
            if (closed) removeAll();
        } finally {
            making.decrementAndGet();
        }
    }

    /** Spares an earlier JVM left: kept if complete, else removed; and its trash, removed. */
    private void adopt() {
        adopted = true;
        if (!Files.isDirectory(parents.get(0))) return;
        for (Path parent : parents) {
            try (DirectoryStream<Path> found = Files.newDirectoryStream(parent, TRASH_PREFIX + "*")) {
                found.forEach(SpareCgroups::rmdirQuietly);
            } catch (IOException e) {
                // left for the next one
            }
        }
        try (DirectoryStream<Path> found = Files.newDirectoryStream(parents.get(0), PREFIX + "*")) {
            for (Path spare : found) {
                String name = spare.getFileName().toString();
                if (parents.stream().allMatch(p -> Files.isDirectory(p.resolve(name))) && names.size() < keep) {
                    names.add(name);
                } else {
                    removeQuietly(name);
                }
            }
        } catch (IOException e) {
            // none adopted
        }
    }

    private void removeQuietly(String spare) {
        for (Path parent : parents) rmdirQuietly(parent.resolve(spare));
    }

    private static void rmdirQuietly(Path dir) {
        try {
            // Retried while exiting tasks keep it busy for a moment after their reaping.
            CgroupDirectories.rmdir(dir);
        } catch (CgroupException e) {
            // taken meanwhile by a cgroup in use; a later JVM's adopt() removes it
        }
    }

    private void removeAll() {
        for (String spare; (spare = names.poll()) != null; ) removeQuietly(spare);
    }

    /** Removes the spares (one being made is removed when done). */
    @Override
    public void close() {
        closed = true;
        removeAll();
    }
}
