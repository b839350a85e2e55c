package dev.tugboat.runtime.images;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** Who still uses unpacked layers (asked before image rm deletes them); the image store itself cannot know. */
@FunctionalInterface
public interface LayerUsers {
    LayerUsers NONE = layerDirs -> List.of();

    /** Names ("container abc") of the users of any of {@code layerDirs}; empty when none. */
    List<String> usersOf(Set<Path> layerDirs);
}
