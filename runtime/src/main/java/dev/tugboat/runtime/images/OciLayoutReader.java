package dev.tugboat.runtime.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads an OCI image layout (image spec, "image-layout.md"): {@code oci-layout}, {@code index.json} and
 * {@code blobs/sha256/*}. Index and manifest blobs are verified here; config and layer blobs by the store as it copies
 * them. A nested index (a multi-platform image) resolves to the manifest for this machine's platform.
 */
final class OciLayoutReader {

    static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String INDEX = "application/vnd.oci.image.index.v1+json";
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    private static final Set<String> MANIFEST_TYPES = Set.of(MANIFEST, DOCKER_MANIFEST);
    private static final Set<String> INDEX_TYPES = Set.of(INDEX, DOCKER_MANIFEST_LIST);

    static final String CONTAINERD_NAME = "io.containerd.image.name";
    static final String REF_NAME = "org.opencontainers.image.ref.name";

    private final Path root;
    private final String description;
    private final JsonMapper json = JsonMapper.shared();

    private OciLayoutReader(Path root, String description) {
        this.root = root;
        this.description = description;
    }

    static boolean isLayout(Path dir) {
        return Files.isRegularFile(dir.resolve("oci-layout")) && Files.isRegularFile(dir.resolve("index.json"));
    }

    /** Reads the images of the archive unpacked at {@code root}; {@code description} names it in errors. */
    static List<ImageSource> read(Path root, String description) {
        return new OciLayoutReader(root, description).read();
    }

    private List<ImageSource> read() {
        JsonNode layout = parse(ImageSource.fileInside(root, "oci-layout", origin()), "oci-layout");
        String version = layout.path("imageLayoutVersion").stringValue(null);
        if (!"1.0.0".equals(version)) {
            throw new ImageException(origin() + ": oci-layout: imageLayoutVersion \"" + version + "\" is not 1.0.0");
        }
        JsonNode index = parse(ImageSource.fileInside(root, "index.json", origin()), "index.json");
        List<ImageSource> images = new ArrayList<>();
        for (JsonNode descriptor : index.path("manifests").values()) {
            List<String> names = names(descriptor.path("annotations"));
            images.add(image(resolvePlatform(descriptor), names));
        }
        if (images.isEmpty()) {
            throw new ImageException(origin() + ": index.json lists no manifests");
        }
        return images;
    }

    private JsonNode resolvePlatform(JsonNode descriptor) {
        String mediaType = descriptor.path("mediaType").stringValue("");
        if (mediaType.isEmpty()) {
            // Some writers leave the descriptor's media type out; the blob says what it is.
            JsonNode content = parseBytes(blob(descriptor, "manifest or index"), "blob " + descriptor.path("digest").asString());
            mediaType = content.path("mediaType").stringValue(content.has("manifests") ? INDEX : MANIFEST);
        }
        if (MANIFEST_TYPES.contains(mediaType)) {
            return descriptor;
        }
        if (!INDEX_TYPES.contains(mediaType)) {
            throw new ImageException(origin() + ": descriptor " + descriptor.path("digest").asString()
                    + " has media type \"" + mediaType + "\", not an image manifest or index");
        }
        JsonNode nested = json.readTree(blob(descriptor, "index"));
        String os = "linux";
        String architecture = Platform.architecture();
        List<String> offered = new ArrayList<>();
        for (JsonNode candidate : nested.path("manifests").values()) {
            JsonNode platform = candidate.path("platform");
            offered.add(platform.path("os").asString() + "/" + platform.path("architecture").asString());
            if (os.equals(platform.path("os").asString()) && architecture.equals(platform.path("architecture").asString())) {
                return resolvePlatform(candidate);
            }
        }
        throw new ImageException(origin() + ": index " + descriptor.path("digest").asString() + " has no manifest for "
                + os + "/" + architecture + " (it has " + offered + ")");
    }

    private ImageSource image(JsonNode descriptor, List<String> names) {
        byte[] manifestBytes = blob(descriptor, "manifest");
        JsonNode manifest = parseBytes(manifestBytes, "manifest " + descriptor.path("digest").asString());
        String origin = origin() + ", manifest " + descriptor.path("digest").asString();
        JsonNode config = manifest.path("config");
        Digest configDigest = digestOf(config, origin + ": config");
        Path configFile = ImageSource.fileInside(root, blobPath(configDigest), origin + ": config");
        List<ImageSource.LayerSource> layers = new ArrayList<>();
        for (JsonNode layer : manifest.path("layers").values()) {
            Digest digest = digestOf(layer, origin + ": layer");
            String mediaType = layer.path("mediaType").stringValue(null);
            if (mediaType != null && mediaType.endsWith("+zstd")) {
                throw new ImageException(origin + ": layer " + digest + ": media type " + mediaType
                        + " is not supported (only gzip and uncompressed tar)");
            }
            layers.add(new ImageSource.LayerSource(
                    ImageSource.fileInside(root, blobPath(digest), origin + ": layer " + digest), digest, mediaType));
        }
        return new ImageSource(origin, names, manifestBytes, configFile, configDigest, layers);
    }

    /** The blob a descriptor points to, checked against the descriptor's digest and size. */
    private byte[] blob(JsonNode descriptor, String kind) {
        Digest digest = digestOf(descriptor, origin() + ": " + kind);
        Path file = ImageSource.fileInside(root, blobPath(digest), origin() + ": " + kind + " " + digest);
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ImageException(origin() + ": read " + kind + " " + digest + ": " + e.getMessage(), e);
        }
        Digest actual = Digest.of(content);
        if (!actual.equals(digest)) {
            throw new ImageException(origin() + ": " + kind + " blob " + digest + " has digest " + actual
                    + ", expected " + digest);
        }
        long size = descriptor.path("size").asLong(-1);
        if (size >= 0 && size != content.length) {
            throw new ImageException(origin() + ": " + kind + " blob " + digest + " is " + content.length
                    + " bytes, the descriptor says " + size);
        }
        return content;
    }

    private static Digest digestOf(JsonNode descriptor, String what) {
        String text = descriptor.path("digest").stringValue(null);
        try {
            return Digest.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ImageException(what + ": " + e.getMessage(), e);
        }
    }

    static String blobPath(Digest digest) {
        return "blobs/" + Digest.ALGORITHM + "/" + digest.hex();
    }

    // containerd's annotation holds the full reference; the OCI one may be a full reference or just a tag, and a
    // bare tag names no repository.
    private static List<String> names(JsonNode annotations) {
        String containerd = annotations.path(CONTAINERD_NAME).stringValue(null);
        if (containerd != null) {
            return List.of(ImageReference.parse(containerd).toString());
        }
        String ref = annotations.path(REF_NAME).stringValue(null);
        if (ref != null && (ref.contains(":") || ref.contains("/"))) {
            return List.of(ImageReference.parse(ref).toString());
        }
        return List.of();
    }

    private JsonNode parse(Path file, String what) {
        try {
            return parseBytes(Files.readAllBytes(file), what);
        } catch (IOException e) {
            throw new ImageException(origin() + ": read " + what + ": " + e.getMessage(), e);
        }
    }

    private JsonNode parseBytes(byte[] content, String what) {
        try {
            return json.readTree(content);
        } catch (JacksonException e) {
            throw new ImageException(origin() + ": " + what + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private String origin() {
        return description;
    }
}
