package dev.tugboat.runtime.images;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import tools.jackson.databind.json.JsonMapper;

/**
 * A content-addressed image store on disk:
 * <pre>
 * ROOT/blobs/sha256/HEX         manifests, configs and layer blobs, named by their digest
 * ROOT/layers/sha256/HEX/diff   each layer unpacked for overlayfs, named by its chain id
 * ROOT/index.json               name:tag to manifest digest, and each image's config and layers
 * ROOT/tmp/                     imports in progress; moved into place only once everything is verified
 * </pre>
 * An import verifies every digest (blob contents and the diff id of every uncompressed layer) before anything becomes
 * visible; a failure leaves the store as it was. Mutations take a file lock, so two processes can share a store.
 */
public final class ImageStore {

    public static final Path DEFAULT_ROOT = Path.of("/var/lib/tugboat/images");

    private final Path root;
    private final Path blobs;
    private final Path layers;
    private final Path tmp;
    private final Path indexFile;
    private final JsonMapper json = JsonMapper.shared();

    private ImageStore(Path root) {
        this.root = root;
        this.blobs = root.resolve("blobs").resolve(Digest.ALGORITHM);
        this.layers = root.resolve("layers").resolve(Digest.ALGORITHM);
        this.tmp = root.resolve("tmp");
        this.indexFile = root.resolve("index.json");
    }

    /** Opens the store at {@code root}, creating its directories if needed. */
    public static ImageStore open(Path root) {
        ImageStore store = new ImageStore(root);
        try {
            Files.createDirectories(store.blobs);
            Files.createDirectories(store.layers);
            Files.createDirectories(store.tmp);
        } catch (IOException e) {
            throw new ImageException("image store " + root + ": cannot create its directories: " + e, e);
        }
        return store;
    }

    public Path root() {
        return root;
    }

    // ---- queries -------------------------------------------------------------------------------------------------

    /** Every image, with its names, ordered by name (unnamed ones last). */
    public List<Image> list() {
        StoreIndex index = readIndex();
        List<Image> images = new ArrayList<>();
        for (Image image : index.images().values()) {
            images.add(withNames(index, image));
        }
        images.sort(Comparator.comparing((Image i) -> i.names().isEmpty() ? "\uffff" : i.names().get(0)));
        return images;
    }

    /**
     * The image {@code reference} names: "name[:tag]", a manifest or config digest ("sha256:...", also as
     * "name@sha256:..."), or a prefix of at least 12 hex digits of the config digest (the image id "image ls" shows).
     */
    public Optional<Image> find(String reference) {
        StoreIndex index = readIndex();
        return resolve(index, reference).map(digest -> withNames(index, index.images().get(digest.toString())));
    }

    public Image get(String reference) {
        return find(reference).orElseThrow(() -> new ImageException("image " + reference + ": not in the store " + root));
    }

    /**
     * The unpacked layer directories of the image, top layer first: the {@code lowerdir} list of an overlay mount
     * (see {@link OverlayMountOptions}).
     */
    public List<Path> lowerDirs(String reference) {
        Image image = get(reference);
        List<Path> dirs = new ArrayList<>();
        for (int i = image.layers().size() - 1; i >= 0; i--) {
            Path dir = layerDir(image.layers().get(i).chainId());
            if (!Files.isDirectory(dir)) {
                throw new ImageException("image " + reference + ": layer " + image.layers().get(i).chainId()
                        + " is missing from " + dir);
            }
            dirs.add(dir);
        }
        return dirs;
    }

    Path layerDir(Digest chainId) {
        return layers.resolve(chainId.hex()).resolve("diff");
    }

    Path blobFile(Digest digest) {
        return blobs.resolve(digest.hex());
    }

    // ---- import --------------------------------------------------------------------------------------------------

    /**
     * Imports every image of an OCI image layout or a {@code docker save} archive, given as a directory or a tar
     * (optionally gzip-compressed). {@code name} ("name:tag", may be null) names the image instead of the names in
     * the archive; it needs an archive holding exactly one image. Returns the imported images.
     */
    public List<Image> importArchive(Path source, String name) {
        ImageReference override = name == null ? null : ImageReference.parse(name);
        if (!Files.exists(source)) {
            throw new ImageException("import " + source + ": no such file or directory");
        }
        return locked(() -> {
            Path staging = tmp.resolve("import-" + UUID.randomUUID());
            try {
                Files.createDirectories(staging);
                Path archive = Files.isDirectory(source) ? source : unpackArchive(source, staging.resolve("archive"));
                List<ImageSource> sources = read(archive, source);
                if (override != null && sources.size() != 1) {
                    throw new ImageException("import " + source + ": --name needs an archive with one image; it holds "
                            + sources.size());
                }
                ImageImport stage = new ImageImport(this, staging);
                List<Image> images = new ArrayList<>();
                for (ImageSource image : sources) {
                    List<String> names = override != null ? List.of(override.toString()) : image.names();
                    images.add(stage.image(image).withNames(names));
                }
                commit(stage, images);
                return images;
            } finally {
                deleteTree(staging);
            }
        });
    }

    private List<ImageSource> read(Path archive, Path source) {
        // A docker save from Docker 25 on is also an OCI layout; its manifest.json carries the RepoTags.
        if (DockerArchiveReader.isArchive(archive)) {
            return DockerArchiveReader.read(archive, "docker archive " + source);
        }
        if (OciLayoutReader.isLayout(archive)) {
            return OciLayoutReader.read(archive, "OCI layout " + source);
        }
        throw new ImageException("import " + source + ": neither an OCI image layout (oci-layout, index.json) nor a "
                + "docker save archive (manifest.json)");
    }

    static Path unpackArchive(Path file, Path into) throws IOException {
        Files.createDirectories(into);
        try (InputStream in = LayerCompression.decompress(Files.newInputStream(file), "archive " + file)) {
            LayerUnpacker.unpack(in, into, "archive " + file);
        }
        return into;
    }


    /** The layer with this chain id as an image of the index records it. */
    Optional<ImageLayer> storedLayer(Digest chainId) {
        return readIndex().images().values().stream()
                .flatMap(image -> image.layers().stream())
                .filter(layer -> layer.chainId().equals(chainId))
                .findFirst();
    }

    /** Moves the staged blobs and layers into the store, then points the tags at the new images. */
    private void commit(ImageImport stage, List<Image> images) throws IOException {
        for (Map.Entry<Digest, Path> blob : stage.stagedBlobs.entrySet()) {
            Path target = blobFile(blob.getKey());
            if (!Files.exists(target)) {
                Files.move(blob.getValue(), target, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        for (Digest chainId : stage.stagedLayers.keySet()) {
            Path staged = stage.layerDir.resolve(chainId.hex());
            Path target = layers.resolve(chainId.hex());
            if (Files.isDirectory(staged) && !Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        StoreIndex index = readIndex();
        Map<String, String> tags = new LinkedHashMap<>(index.tags());
        Map<String, Image> stored = new LinkedHashMap<>(index.images());
        for (Image image : images) {
            stored.put(image.manifestDigest().toString(), image.withNames(List.of()));
            for (String name : image.names()) {
                tags.put(name, image.manifestDigest().toString());
            }
        }
        writeIndex(new StoreIndex(tags, stored));
        // A tag moved to a new image may leave the old one unreferenced.
        collectGarbage(new StoreIndex(tags, stored));
    }

    // ---- removal -------------------------------------------------------------------------------------------------

    /** What {@link #remove} did. */
    public record Removal(List<String> untagged, List<Digest> deletedImages, int deletedBlobs, int deletedLayers) {}

    /**
     * Removes a name (the tag only, and the image with it when no other name is left) or, given a digest or image id,
     * the image with all its names; then deletes every blob and unpacked layer no remaining image uses.
     */
    public Removal remove(String reference) {
        return remove(reference, LayerUsers.NONE);
    }

    /**
     * As {@link #remove(String)}, but refuses (changing nothing) when {@code users} names anyone still using a layer
     * the removal would delete: a running container's overlay rootfs, say.
     */
    public Removal remove(String reference, LayerUsers users) {
        return locked(() -> {
            StoreIndex index = readIndex();
            Digest digest = resolve(index, reference).orElseThrow(() ->
                    new ImageException("image " + reference + ": not in the store " + root));
            Map<String, String> tags = new LinkedHashMap<>(index.tags());
            List<String> untagged = new ArrayList<>();
            boolean byName = !isIdReference(reference) && tags.containsKey(normalizeName(reference));
            if (byName) {
                String name = normalizeName(reference);
                tags.remove(name);
                untagged.add(name);
            } else {
                tags.entrySet().removeIf(tag -> {
                    if (tag.getValue().equals(digest.toString())) {
                        untagged.add(tag.getKey());
                        return true;
                    }
                    return false;
                });
            }
            Map<String, Image> images = new LinkedHashMap<>(index.images());
            List<Digest> deletedImages = new ArrayList<>();
            if (!tags.containsValue(digest.toString())) {
                images.remove(digest.toString());
                deletedImages.add(digest);
            }
            StoreIndex updated = new StoreIndex(tags, images);
            Set<Path> freed = freedLayerDirs(index, updated);
            List<String> using = freed.isEmpty() ? List.of() : users.usersOf(freed);
            if (!using.isEmpty()) {
                throw new ImageException("image " + reference + ": in use by " + String.join(", ", using)
                        + " (its rootfs uses the image's layers); remove those first, or use --force");
            }
            writeIndex(updated);
            int[] deleted = collectGarbage(updated);
            return new Removal(untagged, deletedImages, deleted[0], deleted[1]);
        });
    }

    /** The layer directories of {@code before} that no image of {@code after} uses. */
    private Set<Path> freedLayerDirs(StoreIndex before, StoreIndex after) {
        Set<String> live = new HashSet<>();
        for (Image image : after.images().values()) {
            for (ImageLayer layer : image.layers()) live.add(layer.chainId().hex());
        }
        Set<Path> freed = new HashSet<>();
        for (Image image : before.images().values()) {
            for (ImageLayer layer : image.layers()) {
                if (!live.contains(layer.chainId().hex())) freed.add(layerDir(layer.chainId()));
            }
        }
        return freed;
    }

    /** Deletes blobs and layer directories no image of the index refers to; returns {blobs, layers} deleted. */
    private int[] collectGarbage(StoreIndex index) throws IOException {
        Set<String> liveBlobs = new HashSet<>();
        Set<String> liveLayers = new HashSet<>();
        for (Image image : index.images().values()) {
            liveBlobs.add(image.manifestDigest().hex());
            liveBlobs.add(image.configDigest().hex());
            for (ImageLayer layer : image.layers()) {
                liveBlobs.add(layer.blobDigest().hex());
                liveLayers.add(layer.chainId().hex());
            }
        }
        int blobCount = 0;
        int layerCount = 0;
        try (Stream<Path> files = Files.list(blobs)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (!liveBlobs.contains(file.getFileName().toString())) {
                    Files.delete(file);
                    blobCount++;
                }
            }
        }
        try (Stream<Path> dirs = Files.list(layers)) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                if (!liveLayers.contains(dir.getFileName().toString())) {
                    deleteTree(dir);
                    layerCount++;
                }
            }
        }
        return new int[] {blobCount, layerCount};
    }

    // ---- index ---------------------------------------------------------------------------------------------------

    private Optional<Digest> resolve(StoreIndex index, String reference) {
        int at = reference.indexOf('@');
        if (at > 0 && Digest.isDigest(reference.substring(at + 1))) {
            // name@sha256:... pins the content; the name part does not have to be a tag of it.
            return resolve(index, reference.substring(at + 1));
        }
        if (Digest.isDigest(reference)) {
            Digest digest = Digest.parse(reference);
            if (index.images().containsKey(reference)) {
                return Optional.of(digest);
            }
            return index.images().values().stream().filter(i -> i.configDigest().equals(digest))
                    .map(Image::manifestDigest).findFirst();
        }
        String name = normalizeName(reference);
        if (name != null && index.tags().containsKey(name)) {
            return Optional.of(Digest.parse(index.tags().get(name)));
        }
        if (reference.matches("[0-9a-f]{12,64}")) {
            List<Digest> matches = index.images().values().stream()
                    .filter(i -> i.configDigest().hex().startsWith(reference))
                    .map(Image::manifestDigest).toList();
            if (matches.size() > 1) {
                throw new ImageException("image id " + reference + " is ambiguous: it starts " + matches.size() + " image ids");
            }
            return matches.stream().findFirst();
        }
        return Optional.empty();
    }

    private static boolean isIdReference(String reference) {
        return Digest.isDigest(reference) || reference.matches("[0-9a-f]{12,64}");
    }

    private static String normalizeName(String reference) {
        try {
            return ImageReference.parse(reference).toString();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Image withNames(StoreIndex index, Image image) {
        List<String> names = new ArrayList<>();
        index.tags().forEach((name, digest) -> {
            if (digest.equals(image.manifestDigest().toString())) {
                names.add(name);
            }
        });
        return image.withNames(names);
    }

    private StoreIndex readIndex() {
        if (!Files.exists(indexFile)) {
            return StoreIndex.EMPTY;
        }
        try {
            return json.readValue(indexFile.toFile(), StoreIndex.class);
        } catch (RuntimeException e) {
            throw new ImageException("image store " + root + ": index.json is unreadable: " + e.getMessage(), e);
        }
    }

    private void writeIndex(StoreIndex index) throws IOException {
        Path next = tmp.resolve("index.json." + UUID.randomUUID());
        try (FileChannel channel = FileChannel.open(next, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(json.writerWithDefaultPrettyPrinter().writeValueAsBytes(index)));
            channel.force(true);
        }
        Files.move(next, indexFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    // ---- locking and files ---------------------------------------------------------------------------------------

    private interface StoreWork<T> {
        T run() throws IOException;
    }

    private synchronized <T> T locked(StoreWork<T> work) {
        try (FileChannel lockFile = FileChannel.open(root.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = lockFile.lock()) {
            return work.run();
        } catch (IOException e) {
            throw new ImageException("image store " + root + ": " + e, e);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) tree.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("delete " + dir, e);
        }
    }
}
