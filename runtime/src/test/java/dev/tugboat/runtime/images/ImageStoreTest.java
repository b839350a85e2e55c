package dev.tugboat.runtime.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ImageStoreTest {

    @TempDir
    Path work;

    private ImageStore store;

    @BeforeEach
    void openStore() {
        store = ImageStore.open(work.resolve("store"));
    }

    static byte[] busyboxLayer() {
        return new TestTar()
                .dir("bin", 0755)
                .file("bin/busybox", Path.of("/bin/busybox"), 0755)
                .symlink("bin/sh", "busybox")
                .file("etc/hello", "from base\n")
                .file("etc/secret", "must vanish\n")
                .file("data/old", "old")
                .toBytes();
    }

    static byte[] topLayer() {
        return new TestTar()
                .file("etc/hello", "from top\n")
                .whiteout("etc", "secret")
                .opaque("data")
                .file("data/new", "new")
                .toBytes();
    }

    /** Two layers, the bottom one plain, the top one gzip-compressed. */
    static TestImage twoLayerImage() {
        return new TestImage("/bin/sh").layer(busyboxLayer(), false).layer(topLayer(), true);
    }

    private int mode(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }

    private void assertStoreHoldsNothing() throws IOException {
        assertThat(store.list()).isEmpty();
        for (String dir : List.of("blobs/sha256", "layers/sha256", "tmp")) {
            try (Stream<Path> entries = Files.list(store.root().resolve(dir))) {
                assertThat(entries).as(dir).isEmpty();
            }
        }
    }

    @Test
    void anOciLayoutDirectoryIsImportedWithEveryLayerUnpackedAndItsConfig() throws IOException {
        TestImage built = twoLayerImage();
        Path layout = built.writeOciLayout(work.resolve("layout"), "example.com/tools/box:1.0");

        List<Image> imported = store.importArchive(layout, null);

        assertThat(imported).hasSize(1);
        Image image = imported.get(0);
        assertThat(image.names()).containsExactly("example.com/tools/box:1.0");
        assertThat(image.manifestDigest()).isEqualTo(built.manifestDigest());
        assertThat(image.configDigest()).isEqualTo(built.configDigest());
        assertThat(image.layers()).extracting(ImageLayer::diffId).isEqualTo(built.diffIds());
        assertThat(image.layers()).extracting(ImageLayer::blobDigest).containsExactly(built.blobDigest(0), built.blobDigest(1));
        assertThat(image.layers().get(1).chainId())
                .isEqualTo(Digest.of(built.diffIds().get(0) + " " + built.diffIds().get(1)));
        assertThat(image.layers().get(1).mediaType()).isEqualTo("application/vnd.oci.image.layer.v1.tar+gzip");
        assertThat(image.config().cmd()).containsExactly("/bin/sh");
        assertThat(image.config().env()).containsExactly("PATH=/bin");
        assertThat(store.blobFile(built.manifestDigest())).exists();
        assertThat(store.blobFile(built.configDigest())).exists();
        assertThat(store.blobFile(built.blobDigest(1))).hasBinaryContent(built.blobs.get(1));

        List<Path> lower = store.lowerDirs("example.com/tools/box:1.0");
        assertThat(lower).containsExactly(store.layerDir(image.layers().get(1).chainId()), store.layerDir(image.layers().get(0).chainId()));
        assertThat(lower.get(1).resolve("bin/busybox")).hasSameBinaryContentAs(Path.of("/bin/busybox"));
        assertThat(lower.get(0).resolve("etc/hello")).hasContent("from top");
        assertThat(mode(lower.get(0).resolve("etc/secret")) & 0170000).isEqualTo(FileSystemCalls.S_IFCHR);
        assertThat(LayerUnpacker.isOpaque(lower.get(0).resolve("data"))).isTrue();
    }

    @Test
    void anOciLayoutTarIsImportedLikeItsDirectory() {
        TestImage built = twoLayerImage();
        Path tar = TestImage.tar(built.writeOciLayout(work.resolve("layout"), "box:tarred"), work.resolve("layout.tar"));

        store.importArchive(tar, null);

        assertThat(store.get("box:tarred").manifestDigest()).isEqualTo(built.manifestDigest());
    }

    @Test
    void aDockerSaveArchiveOfOldFormatIsImportedWithAManifestWrittenForIt() throws IOException {
        TestImage built = twoLayerImage();
        Path archive = TestImage.tar(built.writeDockerArchive(work.resolve("docker"), List.of("busybox:old"), false),
                work.resolve("docker.tar"));

        Image image = store.importArchive(archive, null).get(0);

        assertThat(image.names()).containsExactly("busybox:old");
        assertThat(image.configDigest()).isEqualTo(built.configDigest());
        assertThat(image.layers()).extracting(ImageLayer::diffId).isEqualTo(built.diffIds());
        JsonNode manifest = JsonMapper.shared().readTree(Files.readAllBytes(store.blobFile(image.manifestDigest())));
        assertThat(manifest.path("config").path("digest").asString()).isEqualTo(built.configDigest().toString());
        assertThat(manifest.path("layers").get(1).path("mediaType").asString())
                .isEqualTo("application/vnd.oci.image.layer.v1.tar+gzip");
        assertThat(manifest.path("layers").get(0).path("digest").asString()).isEqualTo(built.blobDigest(0).toString());
        assertThat(store.lowerDirs("busybox:old").get(1).resolve("bin/busybox")).exists();
    }

    @Test
    void aGzippedDockerSaveArchiveOfDocker25FormatIsImported() throws IOException {
        TestImage built = twoLayerImage();
        Path tar = TestImage.tar(built.writeDockerArchive(work.resolve("docker"), List.of("docker.io/library/busybox:new"), true),
                work.resolve("docker.tar"));
        Path gzipped = work.resolve("docker.tar.gz");
        Files.write(gzipped, TestTar.gzip(Files.readAllBytes(tar)));

        Image image = store.importArchive(gzipped, null).get(0);

        assertThat(image.names()).containsExactly("busybox:new");
        assertThat(store.find("docker.io/library/busybox:new")).isPresent();
        assertThat(store.find("busybox:new")).isPresent();
    }

    @Test
    void aGivenNameReplacesTheArchiveNames() {
        Path layout = twoLayerImage().writeOciLayout(work.resolve("layout"), "ignored:tag");

        store.importArchive(layout, "mine");

        assertThat(store.list()).extracting(Image::names).containsExactly(List.of("mine:latest"));
    }

    @Test
    void aCorruptedLayerBlobIsRefusedNamingItAndBothDigestsAndLeavesNothing() throws IOException {
        TestImage built = twoLayerImage();
        Path layout = built.writeOciLayout(work.resolve("layout"), "box:1");
        Path blob = layout.resolve("blobs/sha256").resolve(built.blobDigest(0).hex());
        byte[] corrupted = Files.readAllBytes(blob);
        corrupted[1000] ^= 1;
        Files.write(blob, corrupted);

        assertThatThrownBy(() -> store.importArchive(layout, null))
                .isInstanceOf(ImageException.class)
                .hasMessage("OCI layout " + layout + ", manifest " + built.manifestDigest() + ": layer " + built.blobDigest(0)
                        + ": blob " + built.blobDigest(0) + " has digest " + Digest.of(corrupted)
                        + ", expected " + built.blobDigest(0));

        assertStoreHoldsNothing();
    }

    @Test
    void aLayerWhoseContentDoesNotMatchTheConfigDiffIdIsRefusedAndLeavesNothing() throws IOException {
        // An old docker archive names no layer digests: the diff id in the config is all there is to check.
        Digest claimed = Digest.of("some other layer");
        TestImage built = twoLayerImage().claimingDiffIds(List.of(twoLayerImage().diffIds().get(0), claimed));
        Path archive = built.writeDockerArchive(work.resolve("docker"), List.of("box:1"), false);

        assertThatThrownBy(() -> store.importArchive(archive, null))
                .isInstanceOf(ImageException.class)
                .hasMessageContaining("docker archive " + archive + ": manifest.json[0]: layer 1")
                .hasMessageEndingWith("(rootfs.diff_ids[1]): uncompressed content has digest " + built.diffIds().get(1)
                        + ", expected diff id " + claimed);

        assertStoreHoldsNothing();
    }

    @Test
    void aTamperedLayerIsRefusedEvenWhenTheStoreAlreadyHasTheLayerItClaims() throws IOException {
        TestImage genuine = new TestImage("/bin/sh").layer(busyboxLayer(), false);
        store.importArchive(genuine.writeOciLayout(work.resolve("genuine"), "box:1"), null);
        // Same config (same diff ids), different layer bytes, in an old docker archive that names no blob digests.
        Path archive = genuine.writeDockerArchive(work.resolve("docker"), List.of("box:2"), false);
        try (Stream<Path> files = Files.walk(archive)) {
            Path layerTar = files.filter(p -> p.getFileName().toString().equals("layer.tar")).findFirst().orElseThrow();
            Files.write(layerTar, topLayer());
        }

        assertThatThrownBy(() -> store.importArchive(archive, null))
                .isInstanceOf(ImageException.class)
                .hasMessageContaining("(rootfs.diff_ids[0]): uncompressed content has digest " + Digest.of(topLayer())
                        + ", expected diff id " + genuine.diffIds().get(0));

        assertThat(store.list()).extracting(Image::names).containsExactly(List.of("box:1"));
        assertThat(store.blobFile(Digest.of(topLayer()))).doesNotExist();
    }

    @Test
    void aCorruptedManifestIsRefusedBeforeAnythingIsCopied() throws IOException {
        TestImage built = twoLayerImage();
        Path layout = built.writeOciLayout(work.resolve("layout"), "box:1");
        Files.writeString(layout.resolve("blobs/sha256").resolve(built.manifestDigest().hex()), "{}");

        assertThatThrownBy(() -> store.importArchive(layout, null))
                .hasMessageContaining("manifest blob " + built.manifestDigest() + " has digest " + Digest.of("{}"));

        assertStoreHoldsNothing();
    }

    @Test
    void anArchiveWithAnEntryOutsideItselfIsRefusedAndLeavesNothing() throws IOException {
        Path archive = work.resolve("evil.tar");
        Files.write(archive, new TestTar().rawFile("../../planted", "x").file("manifest.json", "[]").toBytes());

        assertThatThrownBy(() -> store.importArchive(archive, null))
                .isInstanceOf(ImageException.class)
                .hasMessageContaining("entry \"../../planted\": the name leads outside the layer directory");

        assertThat(work.resolve("planted")).doesNotExist();
        assertThat(store.root().resolve("planted")).doesNotExist();
        assertStoreHoldsNothing();
    }

    @Test
    void archiveFilesMayLinkToEachOtherButNotToTheHost() throws IOException {
        TestImage built = new TestImage("/bin/sh").layer(busyboxLayer(), false);
        Path archive = built.writeDockerArchive(work.resolve("docker"), List.of("linked:1"), true);
        // Layer paths as symlinks into blobs/, as some docker versions write them.
        Files.createDirectories(archive.resolve("legacy"));
        Files.createSymbolicLink(archive.resolve("legacy/layer.tar"), Path.of("../blobs/sha256/" + built.blobDigest(0).hex()));
        String manifest = Files.readString(archive.resolve("manifest.json"));
        Files.writeString(archive.resolve("manifest.json"),
                manifest.replace("blobs/sha256/" + built.blobDigest(0).hex(), "legacy/layer.tar"));

        assertThat(store.importArchive(archive, null).get(0).names()).containsExactly("linked:1");

        Files.delete(archive.resolve("legacy/layer.tar"));
        Files.createSymbolicLink(archive.resolve("legacy/layer.tar"), Path.of("/etc/passwd"));
        assertThatThrownBy(() -> store.importArchive(archive, "other:1"))
                .isInstanceOf(ImageException.class)
                .hasMessageContaining("manifest.json[0]: layer: \"legacy/layer.tar\" is not a file inside the archive");
    }

    @Test
    void aDirectoryThatIsNoImageArchiveIsRefusedNamingBothFormats() throws IOException {
        Path empty = Files.createDirectory(work.resolve("empty"));

        assertThatThrownBy(() -> store.importArchive(empty, null))
                .hasMessage("import " + empty + ": neither an OCI image layout (oci-layout, index.json) nor a "
                        + "docker save archive (manifest.json)");
    }

    @Test
    void layersSharedByTwoImagesAreStoredOnceAndOutliveTheFirstRemoval() throws IOException {
        TestImage full = twoLayerImage();
        TestImage baseOnly = new TestImage("/bin/true").layer(busyboxLayer(), false);
        store.importArchive(full.writeOciLayout(work.resolve("a"), null), "full:1");
        store.importArchive(baseOnly.writeOciLayout(work.resolve("b"), null), "base:1");
        try (Stream<Path> layers = Files.list(store.root().resolve("layers/sha256"))) {
            assertThat(layers).hasSize(2);
        }

        ImageStore.Removal removal = store.remove("full:1");

        assertThat(removal.untagged()).containsExactly("full:1");
        assertThat(removal.deletedImages()).containsExactly(full.manifestDigest());
        assertThat(removal.deletedLayers()).isEqualTo(1);
        assertThat(removal.deletedBlobs()).isEqualTo(3); // manifest, config, top layer
        assertThat(store.lowerDirs("base:1").get(0).resolve("bin/busybox")).exists();

        store.remove("base:1");
        assertStoreHoldsNothing();
    }

    @Test
    void removingOneOfTwoNamesKeepsTheImageAndRemovingByIdRemovesAllNames() throws IOException {
        TestImage built = twoLayerImage();
        store.importArchive(built.writeOciLayout(work.resolve("a"), null), "box:1");
        store.importArchive(built.writeOciLayout(work.resolve("b"), null), "box:2");
        assertThat(store.get("box:1").names()).containsExactly("box:1", "box:2");

        ImageStore.Removal first = store.remove("box:1");
        assertThat(first.deletedImages()).isEmpty();
        assertThat(store.get(built.configDigest().hex().substring(0, 12)).names()).containsExactly("box:2");

        ImageStore.Removal byId = store.remove(built.configDigest().toString());
        assertThat(byId.untagged()).containsExactly("box:2");
        assertStoreHoldsNothing();
    }

    @Test
    void imagesAreFoundByNameDigestNameAtDigestAndIdPrefix() {
        TestImage built = twoLayerImage();
        store.importArchive(built.writeOciLayout(work.resolve("a"), "docker.io/library/box:1"), null);

        for (String reference : List.of("box:1", "docker.io/library/box:1", built.manifestDigest().toString(),
                built.configDigest().toString(), "box@" + built.manifestDigest(), built.configDigest().hex().substring(0, 12))) {
            assertThat(store.find(reference)).as(reference).map(Image::manifestDigest).contains(built.manifestDigest());
        }
        assertThat(store.find("box:2")).isEmpty();
        assertThat(store.find("box")).isEmpty();
    }

    @Test
    void anIndexDescriptorWithoutMediaTypeIsReadByItsContent() throws IOException {
        TestImage built = twoLayerImage();
        Path layout = built.writeOciLayout(work.resolve("layout"), "plain:1");
        Map<String, Object> descriptor = new java.util.LinkedHashMap<>(
                TestImage.descriptor("application/vnd.oci.image.manifest.v1+json", built.manifest()));
        descriptor.remove("mediaType");
        descriptor.put("annotations", Map.of("org.opencontainers.image.ref.name", "plain:1"));
        Files.write(layout.resolve("index.json"),
                JsonMapper.shared().writeValueAsBytes(Map.of("schemaVersion", 2, "manifests", List.of(descriptor))));

        assertThat(store.importArchive(layout, null).get(0).manifestDigest()).isEqualTo(built.manifestDigest());
    }

    @Test
    void removingAnUnknownImageNamesIt() {
        assertThatThrownBy(() -> store.remove("nothing:here"))
                .isInstanceOf(ImageException.class).hasMessage("image nothing:here: not in the store " + store.root());
    }

    @Test
    void listingShowsEveryImageByNameWithUnnamedOnesLast() {
        store.importArchive(new TestImage("a").layer(busyboxLayer(), false).writeOciLayout(work.resolve("a"), null), null);
        store.importArchive(twoLayerImage().writeOciLayout(work.resolve("b"), "zeta:1"), null);
        store.importArchive(new TestImage("c").layer(topLayer(), true).writeOciLayout(work.resolve("c"), "alpha:1"), null);

        assertThat(store.list()).extracting(Image::names)
                .containsExactly(List.of("alpha:1"), List.of("zeta:1"), List.of());
    }

    @Test
    void aMultiPlatformIndexResolvesToThisMachinesManifest() throws IOException {
        TestImage built = twoLayerImage();
        Path layout = built.writeOciLayout(work.resolve("layout"), null);
        // Wrap the manifest in a nested index next to a manifest for another platform.
        Map<String, Object> ours = TestImage.descriptor("application/vnd.oci.image.manifest.v1+json", built.manifest());
        ours.put("platform", Map.of("os", "linux", "architecture", Platform.architecture()));
        Map<String, Object> theirs = TestImage.descriptor("application/vnd.oci.image.manifest.v1+json", "{}".getBytes());
        theirs.put("platform", Map.of("os", "linux", "architecture", "mips64le"));
        byte[] nested = JsonMapper.shared().writeValueAsBytes(Map.of("schemaVersion", 2, "manifests", List.of(theirs, ours)));
        TestImage.write(layout.resolve("blobs/sha256").resolve(Digest.of(nested).hex()), nested);
        Map<String, Object> top = TestImage.descriptor("application/vnd.oci.image.index.v1+json", nested);
        top.put("annotations", Map.of("io.containerd.image.name", "docker.io/library/multi:1"));
        Files.write(layout.resolve("index.json"),
                JsonMapper.shared().writeValueAsBytes(Map.of("schemaVersion", 2, "manifests", List.of(top))));

        Image image = store.importArchive(layout, null).get(0);

        assertThat(image.names()).containsExactly("multi:1");
        assertThat(image.manifestDigest()).isEqualTo(built.manifestDigest());
    }

    @Test
    void theImportedImageRunsFromAnOverlayOfItsLayers() throws Exception {
        store.importArchive(twoLayerImage().writeOciLayout(work.resolve("layout"), "box:1"), null);
        Path upper = Files.createDirectory(work.resolve("upper"));
        Path workDir = Files.createDirectory(work.resolve("work"));
        Path rootfs = Files.createDirectory(work.resolve("rootfs"));
        String options = OverlayMountOptions.of(store.lowerDirs("box:1"), upper, workDir);

        Process process = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
                "mount -t overlay overlay -o " + options + " " + rootfs + " && chroot " + rootfs
                        + " /bin/sh -c 'busybox cat /etc/hello; busybox ls /etc /data'")
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor()).as(output).isZero();
        assertThat(output).isEqualTo("from top\n/data:\nnew\n\n/etc:\nhello\n");
    }
}
