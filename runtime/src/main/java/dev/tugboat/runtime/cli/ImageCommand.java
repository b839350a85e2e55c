package dev.tugboat.runtime.cli;

import dev.tugboat.runtime.images.Image;
import dev.tugboat.runtime.images.ImageException;
import dev.tugboat.runtime.images.ImageStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code tug image import|ls|rm}: the node's image store. */
@Command(name = "image", description = "Manage the images containers run from.",
        subcommands = {ImageCommand.Import.class, ImageCommand.List_.class, ImageCommand.Remove.class},
        mixinStandardHelpOptions = true)
public final class ImageCommand implements Callable<Integer> {

    @Option(names = "--root", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "Image store directory (default: ${DEFAULT-VALUE}).")
    Path root = ImageStore.DEFAULT_ROOT;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** Runs one store operation; an image error is reported as one line and exit status 1. */
    abstract static class StoreCommand implements Callable<Integer> {
        @picocli.CommandLine.ParentCommand
        ImageCommand parent;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try {
                run(ImageStore.open(parent.root), spec.commandLine().getOut());
                return 0;
            } catch (ImageException | IllegalArgumentException e) {
                spec.commandLine().getErr().println("tug image " + spec.name() + ": " + e.getMessage());
                return 1;
            }
        }

        abstract void run(ImageStore store, PrintWriter out);
    }

    @Command(name = "import", description = "Import an OCI image layout or a docker save archive (directory or tar, gzip or not).")
    static final class Import extends StoreCommand {
        @Parameters(paramLabel = "FILE|DIR")
        Path source;

        @Option(names = "--name", paramLabel = "NAME:TAG", description = "Name the image (the archive must hold one image).")
        String name;

        @Override
        void run(ImageStore store, PrintWriter out) {
            for (Image image : store.importArchive(source, name)) {
                out.printf("imported %s %s (%d layers, %s)%n",
                        image.names().isEmpty() ? "<none>" : String.join(", ", image.names()),
                        image.configDigest(), image.layers().size(), humanSize(image.unpackedBytes()));
            }
        }
    }

    @Command(name = "ls", description = "List the images.")
    static final class List_ extends StoreCommand {
        @Override
        void run(ImageStore store, PrintWriter out) {
            String format = "%-40s %-12s %8s  %s%n";
            out.printf(format, "NAME", "IMAGE ID", "SIZE", "CREATED");
            for (Image image : store.list()) {
                List<String> names = image.names().isEmpty() ? List.of("<none>") : image.names();
                for (String name : names) {
                    out.printf(format, name, image.configDigest().shortHex(), humanSize(image.unpackedBytes()),
                            image.config().created() == null ? "" : image.config().created());
                }
            }
        }
    }

    @Command(name = "rm", description = "Remove a name (or, by digest or id, an image with all its names) and delete the layers no image uses any more.")
    static final class Remove extends StoreCommand {
        @Parameters(paramLabel = "NAME|DIGEST")
        String reference;

        @Option(names = {"--force", "-f"}, description = "Remove even if a running container's rootfs uses its layers.")
        boolean force;

        @Option(names = "--runtime-root", paramLabel = "DIR",
                description = "State root of the containers to check (default: ${DEFAULT-VALUE}).")
        Path runtimeRoot = dev.tugboat.runtime.container.ContainerRuntime.DEFAULT_ROOT;

        @Override
        void run(ImageStore store, PrintWriter out) {
            ImageStore.Removal removal;
            if (force) {
                removal = store.remove(reference);
            } else {
                try (var runtime = new dev.tugboat.runtime.container.ContainerRuntime(runtimeRoot,
                        dev.tugboat.runtime.container.CgroupSupport.NONE)) {
                    removal = store.remove(reference, new dev.tugboat.runtime.container.ContainerLayerUsers(runtime));
                }
            }
            removal.untagged().forEach(name -> out.println("untagged " + name));
            removal.deletedImages().forEach(digest -> out.println("deleted " + digest));
            out.printf("freed %d blobs and %d layers%n", removal.deletedBlobs(), removal.deletedLayers());
        }
    }

    static String humanSize(long bytes) {
        if (bytes < 1000) {
            return bytes + "B";
        }
        String units = "kMGT";
        double value = bytes;
        int unit = -1;
        while (value >= 1000 && unit < units.length() - 1) {
            value /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f%sB", value, units.charAt(unit));
    }
}
