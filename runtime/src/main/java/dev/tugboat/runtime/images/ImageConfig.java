package dev.tugboat.runtime.images;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The parts of an image's config (OCI image spec, {@code config} object) a container runtime starts the process with.
 * Lists are empty and strings null when the image leaves them unset.
 */
public record ImageConfig(
        String os,
        String architecture,
        String created,
        List<String> env,
        List<String> entrypoint,
        List<String> cmd,
        String workingDir,
        String user) {

    public ImageConfig {
        env = List.copyOf(env);
        entrypoint = List.copyOf(entrypoint);
        cmd = List.copyOf(cmd);
    }

    static ImageConfig of(JsonNode config) {
        JsonNode process = config.path("config");
        return new ImageConfig(
                config.path("os").stringValue(null),
                config.path("architecture").stringValue(null),
                config.path("created").stringValue(null),
                strings(process.path("Env")),
                strings(process.path("Entrypoint")),
                strings(process.path("Cmd")),
                emptyToNull(process.path("WorkingDir").stringValue(null)),
                emptyToNull(process.path("User").stringValue(null)));
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array.isArray()) {
            for (JsonNode value : array.values()) {
                out.add(value.asString());
            }
        }
        return out;
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
