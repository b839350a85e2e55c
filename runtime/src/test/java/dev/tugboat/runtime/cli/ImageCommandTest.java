package dev.tugboat.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.json.JsonMapper;

/** The CLI over a real store, with a one-layer busybox image written as an OCI layout. */
class ImageCommandTest {

    @TempDir
    Path work;

    private record Run(int status, String out, String err) {}

    private Run tug(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = new CommandLine(new ImageCommand());
        command.setOut(new PrintWriter(out));
        command.setErr(new PrintWriter(err));
        String[] withRoot = new String[args.length + 2];
        System.arraycopy(args, 0, withRoot, 0, args.length);
        withRoot[args.length] = "--root";
        withRoot[args.length + 1] = work.resolve("store").toString();
        int status = command.execute(withRoot);
        return new Run(status, out.toString(), err.toString());
    }

    private Path busyboxLayout() throws IOException {
        ByteArrayOutputStream layer = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(layer)) {
            TarArchiveEntry entry = new TarArchiveEntry("bin/busybox");
            byte[] busybox = Files.readAllBytes(Path.of("/bin/busybox"));
            entry.setSize(busybox.length);
            entry.setMode(0755);
            tar.putArchiveEntry(entry);
            tar.write(busybox);
            tar.closeArchiveEntry();
        }
        byte[] layerBytes = layer.toByteArray();
        JsonMapper json = JsonMapper.shared();
        byte[] config = json.writeValueAsBytes(Map.of(
                "created", "2024-05-01T12:00:00Z", "os", "linux",
                "rootfs", Map.of("type", "layers", "diff_ids", List.of(sha256(layerBytes)))));
        byte[] manifest = json.writeValueAsBytes(Map.of("schemaVersion", 2,
                "config", descriptor("application/vnd.oci.image.config.v1+json", config),
                "layers", List.of(descriptor("application/vnd.oci.image.layer.v1.tar", layerBytes))));
        Path layout = work.resolve("layout");
        for (byte[] blob : List.of(layerBytes, config, manifest)) {
            Path file = layout.resolve("blobs/sha256").resolve(sha256(blob).substring(7));
            Files.createDirectories(file.getParent());
            Files.write(file, blob);
        }
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.write(layout.resolve("index.json"), json.writeValueAsBytes(Map.of("schemaVersion", 2,
                "manifests", List.of(descriptor("application/vnd.oci.image.manifest.v1+json", manifest)))));
        return layout;
    }

    private static Map<String, Object> descriptor(String mediaType, byte[] content) {
        return Map.of("mediaType", mediaType, "digest", sha256(content), "size", content.length);
    }

    private static String sha256(byte[] content) {
        try {
            return "sha256:" + java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(content));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void importListAndRemoveAnImage() throws IOException {
        Path layout = busyboxLayout();

        Run imported = tug("import", layout.toString(), "--name", "busybox:1.36");
        assertThat(imported.status()).as(imported.err()).isZero();
        assertThat(imported.out()).startsWith("imported busybox:1.36 sha256:").contains("(1 layers, ");

        Run listed = tug("ls");
        assertThat(listed.status()).isZero();
        String[] lines = listed.out().split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).startsWith("NAME").contains("IMAGE ID", "SIZE", "CREATED");
        assertThat(lines[1]).startsWith("busybox:1.36").endsWith("2024-05-01T12:00:00Z");

        Run removed = tug("rm", "busybox:1.36");
        assertThat(removed.status()).isZero();
        assertThat(removed.out()).contains("untagged busybox:1.36", "deleted sha256:", "freed 3 blobs and 1 layers");
        assertThat(tug("ls").out().split("\n")).hasSize(1);
    }

    @Test
    void errorsAreOneLineNamingTheCommandAndExitWithOne() {
        Run run = tug("rm", "missing:1");

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("tug image rm: image missing:1: not in the store " + work.resolve("store")
                + System.lineSeparator());
    }

    @Test
    void aBadNameIsReportedBeforeAnythingIsRead() throws IOException {
        Run run = tug("import", busyboxLayout().toString(), "--name", "Bad Name");

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).startsWith("tug image import: image name \"Bad Name\"");
    }

    @Test
    void humanSizesUseDecimalUnits() {
        assertThat(ImageCommand.humanSize(999)).isEqualTo("999B");
        assertThat(ImageCommand.humanSize(2_150_000)).isEqualTo("2.2MB");
    }

    @Test
    void rmRefusesAnImageWhoseLayersARunningContainersRootfsUsesUnlessForced() throws Exception {
        assertThat(tug("import", busyboxLayout().toString(), "--name", "busybox:1.36").status()).isZero();
        var store = dev.tugboat.runtime.images.ImageStore.open(work.resolve("store"));
        List<String> lowerDirs = store.lowerDirs("busybox:1.36").stream().map(Path::toString).toList();
        Path bundle = dev.tugboat.runtime.container.TestBundles.bundle(work.resolve("bundle"),
                "/bin/busybox", "sleep", "100");
        Path state = work.resolve("state");
        try (var runtime = new dev.tugboat.runtime.container.ContainerRuntime(state,
                dev.tugboat.runtime.container.CgroupSupport.NONE)) {
            var rootfs = new dev.tugboat.runtime.container.Rootfs.Overlay(lowerDirs,
                    Files.createDirectories(work.resolve("upper")).toString(),
                    Files.createDirectories(work.resolve("work")).toString(),
                    Files.createDirectories(work.resolve("merged")).toString());
            runtime.create("rtcli-image-user", bundle,
                    dev.tugboat.runtime.container.CreateOptions.defaults().withRootfs(rootfs));
            try {
                runtime.start("rtcli-image-user");
                Run refused = tug("rm", "--runtime-root", state.toString(), "busybox:1.36");
                assertThat(refused.status()).isEqualTo(1);
                assertThat(refused.err()).isEqualTo("tug image rm: image busybox:1.36: in use by container "
                        + "rtcli-image-user (its rootfs uses the image's layers); remove those first, or use --force"
                        + System.lineSeparator());
                assertThat(tug("ls").out()).contains("busybox:1.36");

                Run forced = tug("rm", "--runtime-root", state.toString(), "--force", "busybox:1.36");
                assertThat(forced.status()).as(forced.err()).isZero();
                assertThat(forced.out()).contains("untagged busybox:1.36", "freed 3 blobs and 1 layers");
            } finally {
                runtime.delete("rtcli-image-user", true);
            }
        }
    }
}
