package dev.tugboat.runtime.images;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import tools.jackson.databind.json.JsonMapper;

/** An image built in a test, written out as an OCI layout or a docker save archive in either format. */
final class TestImage {

    private static final JsonMapper JSON = JsonMapper.shared();

    final List<byte[]> tars = new ArrayList<>();
    final List<byte[]> blobs = new ArrayList<>();
    final List<String> mediaTypes = new ArrayList<>();
    private final List<String> cmd;
    private List<Digest> diffIdsOverride;

    TestImage(String... cmd) {
        this.cmd = List.of(cmd);
    }

    TestImage layer(byte[] tar, boolean gzip) {
        tars.add(tar);
        blobs.add(gzip ? TestTar.gzip(tar) : tar);
        mediaTypes.add(gzip ? "application/vnd.oci.image.layer.v1.tar+gzip" : "application/vnd.oci.image.layer.v1.tar");
        return this;
    }

    /** A config that claims other diff ids than the layers have, as a tampered image would. */
    TestImage claimingDiffIds(List<Digest> diffIds) {
        this.diffIdsOverride = diffIds;
        return this;
    }

    List<Digest> diffIds() {
        return tars.stream().map(Digest::of).toList();
    }

    Digest blobDigest(int layer) {
        return Digest.of(blobs.get(layer));
    }

    byte[] config() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("created", "2024-05-01T12:00:00Z");
        config.put("architecture", Platform.architecture());
        config.put("os", "linux");
        config.put("config", Map.of("Env", List.of("PATH=/bin"), "Cmd", cmd, "WorkingDir", "/"));
        List<Digest> diffIds = diffIdsOverride != null ? diffIdsOverride : diffIds();
        config.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds.stream().map(Digest::toString).toList()));
        return JSON.writeValueAsBytes(config);
    }

    Digest configDigest() {
        return Digest.of(config());
    }

    byte[] manifest() {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.put("config", descriptor("application/vnd.oci.image.config.v1+json", config()));
        List<Object> layers = new ArrayList<>();
        for (int i = 0; i < blobs.size(); i++) {
            layers.add(descriptor(mediaTypes.get(i), blobs.get(i)));
        }
        manifest.put("layers", layers);
        return JSON.writeValueAsBytes(manifest);
    }

    Digest manifestDigest() {
        return Digest.of(manifest());
    }

    static Map<String, Object> descriptor(String mediaType, byte[] content) {
        Map<String, Object> descriptor = new LinkedHashMap<>();
        descriptor.put("mediaType", mediaType);
        descriptor.put("digest", Digest.of(content).toString());
        descriptor.put("size", content.length);
        return descriptor;
    }

    /** An OCI image layout; {@code refName} goes into the org.opencontainers.image.ref.name annotation if not null. */
    Path writeOciLayout(Path dir, String refName) {
        writeBlobs(dir);
        blob(dir, manifest());
        Map<String, Object> descriptor = descriptor("application/vnd.oci.image.manifest.v1+json", manifest());
        if (refName != null) {
            descriptor.put("annotations", Map.of("org.opencontainers.image.ref.name", refName));
        }
        write(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
        write(dir.resolve("index.json"), JSON.writeValueAsBytes(Map.of("schemaVersion", 2, "manifests", List.of(descriptor))));
        return dir;
    }

    /** A docker save archive: before Docker 25 ("ID/layer.tar", "HEX.json") or after (everything under blobs/). */
    Path writeDockerArchive(Path dir, List<String> repoTags, boolean blobsLayout) {
        List<String> layerPaths = new ArrayList<>();
        String configPath;
        if (blobsLayout) {
            writeBlobs(dir);
            configPath = "blobs/sha256/" + configDigest().hex();
            for (int i = 0; i < blobs.size(); i++) {
                layerPaths.add("blobs/sha256/" + blobDigest(i).hex());
            }
        } else {
            configPath = configDigest().hex() + ".json";
            write(dir.resolve(configPath), config());
            for (int i = 0; i < blobs.size(); i++) {
                String id = Digest.of("v1 layer id " + i + " " + blobDigest(i)).hex();
                write(dir.resolve(id).resolve("layer.tar"), blobs.get(i));
                write(dir.resolve(id).resolve("VERSION"), "1.0".getBytes(StandardCharsets.UTF_8));
                layerPaths.add(id + "/layer.tar");
            }
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("Config", configPath);
        entry.put("RepoTags", repoTags);
        entry.put("Layers", layerPaths);
        write(dir.resolve("manifest.json"), JSON.writeValueAsBytes(List.of(entry)));
        return dir;
    }

    private void writeBlobs(Path dir) {
        blob(dir, config());
        for (byte[] blob : blobs) {
            blob(dir, blob);
        }
    }

    private static void blob(Path dir, byte[] content) {
        write(dir.resolve("blobs/sha256").resolve(Digest.of(content).hex()), content);
    }

    static void write(Path file, byte[] content) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The directory as a tar file, the way `tar -C dir -cf file .` would write it. */
    static Path tar(Path dir, Path file) {
        try (OutputStream out = Files.newOutputStream(file);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
             Stream<Path> tree = Files.walk(dir)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Path path : (Iterable<Path>) tree.sorted()::iterator) {
                String name = dir.relativize(path).toString();
                if (name.isEmpty()) {
                    continue;
                }
                TarArchiveEntry entry = new TarArchiveEntry(path, name);
                tar.putArchiveEntry(entry);
                if (Files.isRegularFile(path)) {
                    Files.copy(path, tar);
                }
                tar.closeArchiveEntry();
            }
            tar.finish();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
