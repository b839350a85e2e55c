package dev.tugboat.runtime.images;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unpacks one layer tar into a directory in the form overlayfs reads as a lower layer, as containerd's overlay
 * snapshotter does: a {@code .wh.NAME} whiteout becomes a character device 0/0 named NAME, and {@code .wh..wh..opq}
 * marks its directory opaque with the {@code trusted.overlay.opaque=y} attribute. Modes (set-id bits included),
 * ownership, timestamps, symlinks, hardlinks, fifos, device nodes (where the kernel permits) and {@code SCHILY.xattr}
 * extended attributes are kept. No entry is ever written outside the directory: names that climb out with "..", and
 * names whose parent is a symlink (which would write through it), are refused.
 */
public final class LayerUnpacker {

    private static final Logger LOG = LoggerFactory.getLogger(LayerUnpacker.class);

    static final String WHITEOUT_PREFIX = ".wh.";
    static final String OPAQUE_MARKER = ".wh..wh..opq";
    static final String OPAQUE_XATTR = "trusted.overlay.opaque";
    private static final String PAX_XATTR_PREFIX = "SCHILY.xattr.";

    /** What one unpack did. */
    public record Result(long entries, long whiteouts, long opaqueDirectories, long skippedDeviceNodes, long regularFileBytes) {}

    private final String layerName;
    private final Path root;
    private final Deque<DirectoryTime> directoryTimes = new ArrayDeque<>();
    private long entries;
    private long whiteouts;
    private long opaqueDirectories;
    private long skippedDeviceNodes;
    private long regularFileBytes;

    private record DirectoryTime(Path dir, FileTime modified) {}

    private LayerUnpacker(String layerName, Path root) {
        this.layerName = layerName;
        this.root = root;
    }

    /**
     * Unpacks the uncompressed tar stream into {@code root} (an existing, normally empty directory). Reads the tar up
     * to its end-of-archive marker; the caller drains what follows if it digests the whole stream. {@code layerName}
     * (a digest, say) names the layer in errors.
     */
    public static Result unpack(InputStream uncompressedTar, Path root, String layerName) throws IOException {
        LayerUnpacker unpacker = new LayerUnpacker(layerName, root);
        TarArchiveInputStream tar = new TarArchiveInputStream(uncompressedTar, StandardCharsets.UTF_8.name());
        for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
            unpacker.apply(entry, tar);
        }
        unpacker.setDirectoryTimes();
        return new Result(unpacker.entries, unpacker.whiteouts, unpacker.opaqueDirectories,
                unpacker.skippedDeviceNodes, unpacker.regularFileBytes);
    }

    private void apply(TarArchiveEntry entry, InputStream content) throws IOException {
        entries++;
        Path relative = relativePath(entry.getName());
        if (relative == null) {
            return; // the layer root itself ("./"): the directory is the caller's
        }
        Path parent = ensureParent(relative, entry.getName());
        String base = relative.getFileName().toString();
        if (base.equals(OPAQUE_MARKER)) {
            FileSystemCalls.setXattr(parent, OPAQUE_XATTR, "y".getBytes(StandardCharsets.US_ASCII));
            opaqueDirectories++;
            return;
        }
        if (base.startsWith(WHITEOUT_PREFIX)) {
            if (base.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX)) {
                return; // other aufs metadata (.wh..wh.plnk, .wh..wh.aufs) means nothing to overlayfs
            }
            Path hidden = parent.resolve(base.substring(WHITEOUT_PREFIX.length()));
            removeExisting(hidden);
            FileSystemCalls.mknod(hidden, FileSystemCalls.S_IFCHR, 0, 0, 0);
            whiteouts++;
            return;
        }
        Path target = parent.resolve(base);
        boolean existingDirectory = Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS);
        if (!(entry.isDirectory() && existingDirectory)) {
            removeExisting(target);
        }
        if (entry.isDirectory()) {
            if (!existingDirectory) {
                Files.createDirectory(target);
            }
            setMetadata(entry, target);
            directoryTimes.push(new DirectoryTime(target, entry.getLastModifiedTime()));
        } else if (entry.isSymbolicLink()) {
            // A symlink's target is data, resolved later inside the container's root: it may point anywhere.
            Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
            setMetadata(entry, target);
        } else if (entry.isLink()) {
            Path linked = relativePath(entry.getLinkName());
            if (linked == null) {
                throw new ImageException(where(entry.getName()) + ": hard link to the layer root \"" + entry.getLinkName() + "\"");
            }
            Path source = ensureParent(linked, entry.getLinkName()).resolve(linked.getFileName());
            if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
                throw new ImageException(where(entry.getName()) + ": hard link to \"" + entry.getLinkName()
                        + "\", which no earlier entry of the layer created");
            }
            Files.createLink(target, source);
        } else if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
            int type = entry.isFIFO() ? FileSystemCalls.S_IFIFO
                    : entry.isCharacterDevice() ? FileSystemCalls.S_IFCHR : FileSystemCalls.S_IFBLK;
            try {
                FileSystemCalls.mknod(target, type, entry.getMode() & 07777, entry.getDevMajor(), entry.getDevMinor());
            } catch (FileSystemCalls.NativeCallException e) {
                if (!e.notPermitted() || entry.isFIFO()) {
                    throw e;
                }
                // As in an unprivileged unpack: the device is left out, the rest of the layer is still usable.
                LOG.warn("{}: device node not created: {}", where(entry.getName()), e.getMessage());
                skippedDeviceNodes++;
                return;
            }
            setMetadata(entry, target);
        } else if (entry.isFile()) {
            if (entry.isSparse()) {
                throw new ImageException(where(entry.getName()) + ": sparse tar entries are not supported");
            }
            Files.copy(content, target, StandardCopyOption.REPLACE_EXISTING);
            regularFileBytes += entry.getSize();
            setMetadata(entry, target);
        } else {
            throw new ImageException(where(entry.getName()) + ": unsupported tar entry type '" + (char) entry.getLinkFlag() + "'");
        }
    }

    /** The entry name as a path inside the layer, null for the layer root; refuses names that leave the layer. */
    private Path relativePath(String name) {
        String trimmed = name;
        while (trimmed.startsWith("/")) {
            trimmed = trimmed.substring(1);
        }
        if (trimmed.isEmpty()) {
            return null;
        }
        Path relative = Path.of(trimmed).normalize();
        if (relative.toString().isEmpty()) {
            return null;
        }
        if (relative.startsWith("..")) {
            throw new ImageException(where(name) + ": the name leads outside the layer directory");
        }
        return relative;
    }

    /**
     * The directory the entry goes into, created (0755, like tar) when the layer did not list it. Every ancestor must
     * be a real directory, never a symlink: writing through a symlink could land outside the layer.
     */
    private Path ensureParent(Path relative, String name) throws IOException {
        Path dir = root;
        Path parent = relative.getParent();
        if (parent == null) {
            return dir;
        }
        for (Path segment : parent) {
            dir = dir.resolve(segment);
            if (Files.isSymbolicLink(dir)) {
                throw new ImageException(where(name) + ": its parent \"" + root.relativize(dir)
                        + "\" is a symbolic link; writing through it could leave the layer directory");
            }
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(dir);
            } else if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new ImageException(where(name) + ": its parent \"" + root.relativize(dir) + "\" is not a directory");
            }
        }
        return dir;
    }

    private static void removeExisting(Path path) throws IOException {
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> tree = Files.walk(path)) {
                for (Path p : (Iterable<Path>) tree.sorted(Comparator.reverseOrder())::iterator) {
                    Files.delete(p);
                }
            }
        } else {
            Files.deleteIfExists(path);
        }
    }

    // Ownership before mode: chown(2) clears the set-id bits that chmod then restores.
    private void setMetadata(TarArchiveEntry entry, Path target) throws IOException {
        Files.setAttribute(target, "unix:uid", (int) entry.getLongUserId(), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(target, "unix:gid", (int) entry.getLongGroupId(), LinkOption.NOFOLLOW_LINKS);
        if (!entry.isSymbolicLink()) {
            FileSystemCalls.chmod(target, entry.getMode());
        }
        for (Map.Entry<String, String> header : entry.getExtraPaxHeaders().entrySet()) {
            if (header.getKey().startsWith(PAX_XATTR_PREFIX)) {
                String name = header.getKey().substring(PAX_XATTR_PREFIX.length());
                // PAX stores the raw value as ISO-8859-1 characters, one per byte.
                FileSystemCalls.setXattr(target, name, header.getValue().getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        if (!entry.isDirectory()) {
            FileSystemCalls.setTimes(target, entry.getLastModifiedTime());
        }
    }

    // Directory times last, deepest first: creating the entries inside a directory changes its mtime.
    private void setDirectoryTimes() throws IOException {
        while (!directoryTimes.isEmpty()) {
            DirectoryTime time = directoryTimes.pop();
            if (Files.isDirectory(time.dir(), LinkOption.NOFOLLOW_LINKS)) {
                FileSystemCalls.setTimes(time.dir(), time.modified());
            }
        }
    }

    private String where(String entryName) {
        return "layer " + layerName + ": entry \"" + entryName + "\"";
    }

    static boolean isOpaque(Path dir) throws IOException {
        return "y".equals(FileSystemCalls.getXattr(dir, OPAQUE_XATTR));
    }

}
