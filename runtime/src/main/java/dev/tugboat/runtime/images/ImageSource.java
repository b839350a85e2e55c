package dev.tugboat.runtime.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One image as an archive describes it, before anything is verified or stored.
 *
 * @param origin         where it came from, for errors ("OCI layout /x, manifest sha256:...")
 * @param names          name:tag references the archive gives it
 * @param manifest       the manifest bytes (already verified against their digest), or null when the archive has
 *                       none (docker save) and the store writes one
 * @param configFile     the config JSON
 * @param configDigest   the digest the config must have, or null when the archive does not say
 * @param layers         bottom layer first
 */
record ImageSource(String origin, List<String> names, byte[] manifest, Path configFile, Digest configDigest, List<LayerSource> layers) {

    /**
     * @param file       the layer blob
     * @param digest     the digest the blob must have, or null when the archive does not say (old docker save)
     * @param mediaType  the media type the archive gives it, or null
     */
    record LayerSource(Path file, Digest digest, String mediaType) {}

    /**
     * The archive's file at {@code relative}, which must stay inside {@code root} even through symlinks: an archive may
     * link its files to each other, never to the host's.
     */
    static Path fileInside(Path root, String relative, String what) {
        try {
            Path realRoot = root.toRealPath();
            Path candidate = root.resolve(relative).normalize();
            if (!Files.exists(candidate)) {
                throw new ImageException(what + ": \"" + relative + "\" is not in the archive");
            }
            Path real = candidate.toRealPath();
            if (!real.startsWith(realRoot) || !Files.isRegularFile(real)) {
                throw new ImageException(what + ": \"" + relative + "\" is not a file inside the archive");
            }
            return real;
        } catch (IOException e) {
            throw new ImageException(what + ": cannot read \"" + relative + "\": " + e.getMessage(), e);
        }
    }
}
