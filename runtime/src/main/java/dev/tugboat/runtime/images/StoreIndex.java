package dev.tugboat.runtime.images;

import java.util.Map;
import java.util.TreeMap;

/**
 * The store's catalogue, kept in one JSON file replaced atomically.
 *
 * @param tags   name:tag to the manifest digest it points at
 * @param images manifest digest to the image (stored without names: the tags are their only source)
 */
record StoreIndex(Map<String, String> tags, Map<String, Image> images) {

    static final StoreIndex EMPTY = new StoreIndex(Map.of(), Map.of());

    StoreIndex {
        tags = new TreeMap<>(tags);
        images = new TreeMap<>(images);
    }
}
