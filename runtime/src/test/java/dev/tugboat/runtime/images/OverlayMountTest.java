package dev.tugboat.runtime.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unpacked layers composed by the kernel's overlayfs, mounted in a private mount namespace (unshare -m) so the host's
 * mount table never sees it.
 */
class OverlayMountTest {

    @TempDir
    Path dir;

    @Test
    void mountOptionsListTheLowerDirsTopFirstThenUpperAndWork() {
        assertThat(OverlayMountOptions.of(List.of(Path.of("/l/2"), Path.of("/l/1")), Path.of("/c/upper"), Path.of("/c/work")))
                .isEqualTo("lowerdir=/l/2:/l/1,upperdir=/c/upper,workdir=/c/work");
        assertThat(OverlayMountOptions.of(List.of(Path.of("/l/1")), null, null)).isEqualTo("lowerdir=/l/1");
    }

    @Test
    void pathsTheOptionSyntaxCannotCarryAreRefused() {
        assertThatThrownBy(() -> OverlayMountOptions.of(List.of(Path.of("/a:b")), null, null))
                .hasMessageContaining("lowerdir \"/a:b\" must be an absolute path without ',' or ':'");
        assertThatThrownBy(() -> OverlayMountOptions.of(List.of(), null, null))
                .hasMessageContaining("at least one lower directory");
    }

    @Test
    void layersComposeWithWhiteoutsAndOpaqueDirectoriesHidingLowerContent() throws Exception {
        Path base = unpack("base", new TestTar()
                .dir("bin", 0755)
                .file("bin/busybox", Path.of("/bin/busybox"), 0755)
                .symlink("bin/sh", "busybox")
                .file("etc/hello", "from base\n")
                .file("etc/secret", "must vanish\n")
                .file("data/old-1", "1")
                .file("data/old-2", "2")
                .toBytes());
        Path top = unpack("top", new TestTar()
                .file("etc/hello", "from top\n")
                .whiteout("etc", "secret")
                .opaque("data")
                .file("data/new", "3")
                .toBytes());
        Path upper = Files.createDirectory(dir.resolve("upper"));
        Path work = Files.createDirectory(dir.resolve("work"));
        Path merged = Files.createDirectory(dir.resolve("merged"));
        String options = OverlayMountOptions.of(List.of(top, base), upper, work);

        String output = inPrivateMountNamespace(
                "mount -t overlay overlay -o " + options + " " + merged
                        + " && chroot " + merged + " /bin/sh -c 'busybox cat /etc/hello; busybox ls /etc; echo --; busybox ls /data;"
                        + " echo written > /etc/new-file'");

        assertThat(output).isEqualTo("from top\nhello\n--\nnew\n");
        // Writes land in the container's upper dir; the image's layers stay as they were.
        assertThat(upper.resolve("etc/new-file")).hasContent("written");
        assertThat(top.resolve("etc/new-file")).doesNotExist();
        assertThat(base.resolve("etc/secret")).hasContent("must vanish");
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(merged.toString());
    }

    private Path unpack(String name, byte[] tar) throws IOException {
        Path layer = Files.createDirectory(dir.resolve(name));
        LayerUnpacker.unpack(new ByteArrayInputStream(tar), layer, name);
        return layer;
    }

    private static String inPrivateMountNamespace(String script) throws Exception {
        Process process = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", script)
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as("exit status; output: %s", output).isZero();
        return output;
    }
}
