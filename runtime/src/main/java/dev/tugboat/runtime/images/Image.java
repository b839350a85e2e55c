package dev.tugboat.runtime.images;

import java.util.List;

/**
 * An image in the store.
 *
 * @param names          the name:tag references pointing at it (none for an image imported without a name)
 * @param manifestDigest digest of its OCI manifest; what a tag points to
 * @param configDigest   digest of its config, the image id Docker shows
 * @param layers         bottom layer first, as the manifest lists them
 * @param config         how to run it
 */
public record Image(List<String> names, Digest manifestDigest, Digest configDigest, List<ImageLayer> layers, ImageConfig config) {

    public Image {
        names = List.copyOf(names);
        layers = List.copyOf(layers);
    }

    public long unpackedBytes() {
        return layers.stream().mapToLong(ImageLayer::unpackedBytes).sum();
    }

    Image withNames(List<String> newNames) {
        return new Image(newNames, manifestDigest, configDigest, layers, config);
    }
}
