package dev.tugboat.runtime.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a {@code docker save} archive by its {@code manifest.json}: a list of {Config, RepoTags, Layers}. Docker
 * before 25 names the config "&lt;sha256 hex&gt;.json" and each layer "&lt;v1 id&gt;/layer.tar" (no digest to check but the
 * config's diff ids); Docker 25 and later point both into {@code blobs/sha256/}, whose names are digests.
 */
final class DockerArchiveReader {

    private final Path root;
    private final String description;

    private DockerArchiveReader(Path root, String description) {
        this.root = root;
        this.description = description;
    }

    static boolean isArchive(Path dir) {
        return Files.isRegularFile(dir.resolve("manifest.json"));
    }

    /** Reads the images of the archive unpacked at {@code root}; {@code description} names it in errors. */
    static List<ImageSource> read(Path root, String description) {
        return new DockerArchiveReader(root, description).read();
    }

    private List<ImageSource> read() {
        JsonNode manifest;
        try {
            manifest = JsonMapper.shared().readTree(Files.readAllBytes(ImageSource.fileInside(root, "manifest.json", origin())));
        } catch (IOException e) {
            throw new ImageException(origin() + ": read manifest.json: " + e.getMessage(), e);
        } catch (JacksonException e) {
            throw new ImageException(origin() + ": manifest.json is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (!manifest.isArray() || manifest.isEmpty()) {
            throw new ImageException(origin() + ": manifest.json must be a non-empty array of images");
        }
        List<ImageSource> images = new ArrayList<>();
        int i = 0;
        for (JsonNode entry : manifest.values()) {
            String where = origin() + ": manifest.json[" + i++ + "]";
            String config = entry.path("Config").stringValue(null);
            if (config == null) {
                throw new ImageException(where + ": Config is missing");
            }
            List<String> names = new ArrayList<>();
            for (JsonNode tag : entry.path("RepoTags").values()) {
                names.add(ImageReference.parse(tag.asString()).toString());
            }
            List<ImageSource.LayerSource> layers = new ArrayList<>();
            for (JsonNode layer : entry.path("Layers").values()) {
                String path = layer.asString();
                layers.add(new ImageSource.LayerSource(
                        ImageSource.fileInside(root, path, where + ": layer"), digestInName(path), null));
            }
            images.add(new ImageSource(where, names, null,
                    ImageSource.fileInside(root, config, where + ": Config"), digestInName(config), layers));
        }
        return images;
    }

    /** "blobs/sha256/&lt;hex&gt;" and "&lt;hex&gt;.json" name their content's digest; "&lt;id&gt;/layer.tar" does not. */
    static Digest digestInName(String path) {
        if (path.startsWith("blobs/sha256/") && path.substring("blobs/sha256/".length()).matches("[0-9a-f]{64}")) {
            return new Digest(path.substring("blobs/sha256/".length()));
        }
        if (path.matches("[0-9a-f]{64}\\.json")) {
            return new Digest(path.substring(0, 64));
        }
        return null;
    }

    private String origin() {
        return description;
    }
}
