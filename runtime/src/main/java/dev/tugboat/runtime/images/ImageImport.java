package dev.tugboat.runtime.images;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One import's verified blobs and unpacked layers, waiting in its staging directory until the store moves them in:
 * every blob is copied while it is digested, every layer unpacked while its uncompressed tar is digested, and any
 * mismatch fails the import before the store has seen anything.
 */
final class ImageImport {

    private static final String LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";
    private static final String LAYER_TAR_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    private static final String CONFIG = "application/vnd.oci.image.config.v1+json";
    private static final JsonMapper JSON = JsonMapper.shared();

    private final ImageStore store;
    final Path blobDir;
    final Path layerDir;
    final Map<Digest, Path> stagedBlobs = new LinkedHashMap<>();
    final Map<Digest, Long> stagedLayers = new LinkedHashMap<>();

    ImageImport(ImageStore store, Path staging) throws IOException {
        this.store = store;
        this.blobDir = Files.createDirectories(staging.resolve("blobs"));
        this.layerDir = Files.createDirectories(staging.resolve("layers"));
    }

    Image image(ImageSource source) throws IOException {
        Digest configDigest = blob(source.configFile(), source.configDigest(), source.origin() + ": config");
        JsonNode config;
        List<Digest> diffIds = new ArrayList<>();
        try {
            config = JSON.readTree(Files.readAllBytes(blobPath(configDigest)));
            for (JsonNode diffId : config.path("rootfs").path("diff_ids").values()) {
                diffIds.add(Digest.parse(diffId.asString()));
            }
        } catch (JacksonException | IllegalArgumentException e) {
            throw new ImageException(source.origin() + ": config " + configDigest + ": " + e.getMessage(), e);
        }
        if (diffIds.size() != source.layers().size()) {
            throw new ImageException(source.origin() + ": config " + configDigest + " lists " + diffIds.size()
                    + " diff ids in rootfs.diff_ids, the manifest " + source.layers().size() + " layers");
        }
        List<ImageLayer> imageLayers = new ArrayList<>();
        Digest chainId = null;
        for (int i = 0; i < diffIds.size(); i++) {
            chainId = Digest.chainId(chainId, diffIds.get(i));
            imageLayers.add(layer(source, i, diffIds.get(i), chainId));
        }
        byte[] manifest = source.manifest() != null ? source.manifest()
                : manifestFor(configDigest, Files.size(blobPath(configDigest)), imageLayers);
        Digest manifestDigest = Digest.of(manifest);
        if (!stagedBlobs.containsKey(manifestDigest)) {
            Path file = blobDir.resolve(manifestDigest.hex());
            Files.write(file, manifest);
            stagedBlobs.put(manifestDigest, file);
        }
        return new Image(List.of(), manifestDigest, configDigest, imageLayers, ImageConfig.of(config));
    }

    private ImageLayer layer(ImageSource source, int i, Digest diffId, Digest chainId) throws IOException {
        ImageSource.LayerSource layer = source.layers().get(i);
        String what = source.origin() + ": layer " + (layer.digest() != null ? layer.digest()
                : i + " (" + layer.file().getParent().getFileName() + "/" + layer.file().getFileName() + ")");
        Digest blobDigest = blob(layer.file(), layer.digest(), what);
        Path blob = blobPath(blobDigest);
        String mediaType = layer.mediaType() != null ? layer.mediaType() : mediaTypeOf(blob);
        long size = Files.size(blob);
        Long unpacked = stagedLayers.get(chainId);
        if (unpacked == null) {
            Optional<ImageLayer> stored = store.storedLayer(chainId);
            String diffWhat = what + " (rootfs.diff_ids[" + i + "])";
            if (stored.isPresent() && Files.isDirectory(store.layerDir(chainId))) {
                // Unpacked already; the blob still has to be the layer it claims to be before it is stored.
                unpacked = stored.get().unpackedBytes();
                checkDiffId(blob, diffId, diffWhat);
            } else {
                unpacked = unpack(blob, diffId, chainId, "layer " + blobDigest, diffWhat);
            }
            stagedLayers.put(chainId, unpacked);
        }
        return new ImageLayer(blobDigest, mediaType, size, diffId, chainId, unpacked);
    }

    /** Unpacks the blob while digesting its uncompressed tar, which must match the config's diff id. */
    private long unpack(Path blob, Digest diffId, Digest chainId, String layerName, String what) throws IOException {
        Path target = Files.createDirectories(layerDir.resolve(chainId.hex()).resolve("diff"));
        MessageDigest sha256 = Digest.newSha256();
        LayerUnpacker.Result result;
        try (DigestInputStream tar = new DigestInputStream(LayerCompression.decompress(Files.newInputStream(blob), what), sha256)) {
            result = LayerUnpacker.unpack(tar, target, layerName);
            // The diff id covers the whole uncompressed stream, padding after the end-of-archive marker included.
            tar.transferTo(java.io.OutputStream.nullOutputStream());
        }
        checkDiffId(Digest.fromMessageDigest(sha256), diffId, what);
        return result.regularFileBytes();
    }

    private static void checkDiffId(Path blob, Digest diffId, String what) throws IOException {
        MessageDigest sha256 = Digest.newSha256();
        try (DigestInputStream tar = new DigestInputStream(LayerCompression.decompress(Files.newInputStream(blob), what), sha256)) {
            tar.transferTo(java.io.OutputStream.nullOutputStream());
        }
        checkDiffId(Digest.fromMessageDigest(sha256), diffId, what);
    }

    private static void checkDiffId(Digest actual, Digest diffId, String what) {
        if (!actual.equals(diffId)) {
            throw new ImageException(what + ": uncompressed content has digest " + actual + ", expected diff id " + diffId);
        }
    }

    /** Copies the file into the staging blobs while digesting it; the digest must match {@code expected} if given. */
    private Digest blob(Path file, Digest expected, String what) throws IOException {
        if (expected != null && stagedBlobs.containsKey(expected)) {
            return expected;
        }
        Path copy = blobDir.resolve("incoming-" + UUID.randomUUID());
        MessageDigest sha256 = Digest.newSha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha256)) {
            Files.copy(in, copy);
        }
        Digest actual = Digest.fromMessageDigest(sha256);
        if (expected != null && !actual.equals(expected)) {
            throw new ImageException(what + ": blob " + expected + " has digest " + actual + ", expected " + expected);
        }
        Path named = blobDir.resolve(actual.hex());
        Files.move(copy, named, StandardCopyOption.REPLACE_EXISTING);
        stagedBlobs.put(actual, named);
        return actual;
    }

    private Path blobPath(Digest digest) {
        return stagedBlobs.get(digest);
    }

    private static String mediaTypeOf(Path blob) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(blob)) {
            head = in.readNBytes(8);
        }
        return LayerCompression.detect(head) == LayerCompression.GZIP ? LAYER_TAR_GZIP : LAYER_TAR;
    }

    // A docker save archive has no manifest: write the OCI manifest it would have had, so every image has one.
    private static byte[] manifestFor(Digest configDigest, long configSize, List<ImageLayer> imageLayers) {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", OciLayoutReader.MANIFEST);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("mediaType", CONFIG);
        config.put("digest", configDigest.toString());
        config.put("size", configSize);
        manifest.put("config", config);
        List<Map<String, Object>> layerDescriptors = new ArrayList<>();
        for (ImageLayer layer : imageLayers) {
            Map<String, Object> descriptor = new LinkedHashMap<>();
            descriptor.put("mediaType", layer.mediaType());
            descriptor.put("digest", layer.blobDigest().toString());
            descriptor.put("size", layer.blobSize());
            layerDescriptors.add(descriptor);
        }
        manifest.put("layers", layerDescriptors);
        return JSON.writeValueAsBytes(manifest);
    }
}
