package dev.tugboat.runtime.images;

/**
 * An image name with its tag, in the short familiar form Docker prints: "busybox:latest" for
 * "docker.io/library/busybox", "registry.example:5000/team/app:1.2" as is.
 */
public record ImageReference(String repository, String tag) {

    private static final String DEFAULT_REGISTRY = "docker.io/";
    private static final String OFFICIAL_PREFIX = "library/";

    public ImageReference {
        if (!repository.matches("[a-z0-9]+([._-]+[a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-]+[a-z0-9]+)*)*")) {
            throw new IllegalArgumentException("image name \"" + repository
                    + "\": expected lowercase path components such as \"busybox\" or \"registry.example:5000/team/app\"");
        }
        if (!tag.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")) {
            throw new IllegalArgumentException("image tag \"" + tag + "\": expected up to 128 of A-Za-z0-9_.- not starting with . or -");
        }
    }

    /** Parses "NAME[:TAG]" (tag defaults to "latest"), dropping Docker Hub's implicit "docker.io/library/" prefix. */
    public static ImageReference parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("image name: must not be empty");
        }
        if (text.contains("@")) {
            throw new IllegalArgumentException("image name \"" + text + "\": a digest reference names no tag; give NAME:TAG");
        }
        int lastSlash = text.lastIndexOf('/');
        int colon = text.lastIndexOf(':');
        String repository = text;
        String tag = "latest";
        if (colon > lastSlash) {
            repository = text.substring(0, colon);
            tag = text.substring(colon + 1);
        }
        if (repository.startsWith(DEFAULT_REGISTRY)) {
            repository = repository.substring(DEFAULT_REGISTRY.length());
        }
        if (repository.startsWith(OFFICIAL_PREFIX) && repository.indexOf('/', OFFICIAL_PREFIX.length()) < 0) {
            repository = repository.substring(OFFICIAL_PREFIX.length());
        }
        return new ImageReference(repository, tag);
    }

    @Override
    public String toString() {
        return repository + ":" + tag;
    }
}
