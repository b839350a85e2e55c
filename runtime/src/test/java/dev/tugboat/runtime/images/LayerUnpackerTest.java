package dev.tugboat.runtime.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerUnpackerTest {

    @TempDir
    Path layer;

    private LayerUnpacker.Result unpack(byte[] tar) throws IOException {
        return LayerUnpacker.unpack(new ByteArrayInputStream(tar), layer, "test-layer");
    }

    private static long attribute(Path path, String name) throws IOException {
        return ((Number) Files.getAttribute(path, "unix:" + name, LinkOption.NOFOLLOW_LINKS)).longValue();
    }

    @Test
    void regularFilesKeepContentModeOwnershipAndModificationTime() throws IOException {
        unpack(new TestTar()
                .dir("etc", 0755)
                .file("etc/passwd", "root:x:0:0::/root:/bin/sh\n".getBytes(), 0640, 0, 42)
                .file("usr/bin/su", "su".getBytes(), 04755, 0, 0)
                .toBytes());

        Path passwd = layer.resolve("etc/passwd");
        assertThat(passwd).hasContent("root:x:0:0::/root:/bin/sh");
        assertThat(attribute(passwd, "mode") & 07777).isEqualTo(0640L);
        assertThat(attribute(passwd, "gid")).isEqualTo(42L);
        assertThat(Files.getLastModifiedTime(passwd)).isEqualTo(TestTar.MTIME);
        assertThat(attribute(layer.resolve("usr/bin/su"), "mode") & 07777).isEqualTo(04755L);
        assertThat(Files.getLastModifiedTime(layer.resolve("etc"))).isEqualTo(TestTar.MTIME);
    }

    @Test
    void directoriesTheTarDoesNotListAreCreated() throws IOException {
        unpack(new TestTar().file("a/b/c/file", "x").toBytes());

        assertThat(layer.resolve("a/b/c/file")).hasContent("x");
    }

    @Test
    void symlinksHardlinksFifosAndDeviceNodesAreRecreated() throws IOException {
        LayerUnpacker.Result result = unpack(new TestTar()
                .file("bin/busybox", "binary")
                .symlink("bin/sh", "busybox")
                .symlink("etc/mtab", "/no/such/mounts")
                .hardlink("bin/ls", "bin/busybox")
                .fifo("run/initctl")
                .charDevice("dev/null", 1, 3)
                .toBytes());

        assertThat(Files.readSymbolicLink(layer.resolve("bin/sh"))).isEqualTo(Path.of("busybox"));
        assertThat(Files.readSymbolicLink(layer.resolve("etc/mtab"))).isEqualTo(Path.of("/no/such/mounts"));
        assertThat(attribute(layer.resolve("bin/sh"), "uid")).isEqualTo(7L);
        assertThat(attribute(layer.resolve("bin/ls"), "ino")).isEqualTo(attribute(layer.resolve("bin/busybox"), "ino"));
        assertThat(attribute(layer.resolve("bin/ls"), "nlink")).isEqualTo(2L);
        BasicFileAttributes fifo = Files.readAttributes(layer.resolve("run/initctl"), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertThat(fifo.isOther()).isTrue();
        assertThat(attribute(layer.resolve("dev/null"), "mode") & 0170000).isEqualTo((long) FileSystemCalls.S_IFCHR);
        assertThat(attribute(layer.resolve("dev/null"), "rdev")).isEqualTo(FileSystemCalls.makedev(1, 3));
        assertThat(result.skippedDeviceNodes()).isZero();
    }

    @Test
    void whiteoutsBecomeCharacterDevicesZeroZeroAndOpaqueMarkersAnXattr() throws IOException {
        LayerUnpacker.Result result = unpack(new TestTar()
                .whiteout("etc", "shadow")
                .opaque("var/cache")
                .file("var/cache/new", "n")
                .toBytes());

        Path whiteout = layer.resolve("etc/shadow");
        assertThat(attribute(whiteout, "mode") & 0170000).isEqualTo((long) FileSystemCalls.S_IFCHR);
        assertThat(attribute(whiteout, "rdev")).isZero();
        assertThat(layer.resolve("etc/.wh.shadow")).doesNotExist();
        assertThat(LayerUnpacker.isOpaque(layer.resolve("var/cache"))).isTrue();
        assertThat(LayerUnpacker.isOpaque(layer.resolve("etc"))).isFalse();
        assertThat(layer.resolve("var/cache/.wh..wh..opq")).doesNotExist();
        assertThat(layer.resolve("var/cache/new")).hasContent("n");
        assertThat(result.whiteouts()).isEqualTo(1);
        assertThat(result.opaqueDirectories()).isEqualTo(1);
    }

    @Test
    void paxExtendedAttributesAreSet() throws IOException {
        unpack(new TestTar().withXattr("bin/ping", "user.tugboat.test", "yes").toBytes());

        assertThat(FileSystemCalls.getXattr(layer.resolve("bin/ping"), "user.tugboat.test")).isEqualTo("yes");
    }

    @Test
    void aLaterEntryReplacesAnEarlierOneOfTheSameName() throws IOException {
        unpack(new TestTar()
                .symlink("etc/motd", "/etc/passwd")
                .file("etc/motd", "hello")
                .toBytes());

        assertThat(Files.isSymbolicLink(layer.resolve("etc/motd"))).isFalse();
        assertThat(layer.resolve("etc/motd")).hasContent("hello");
    }

    @Test
    void aTarWrittenByGnuTarUnpacksToTheSameTree() throws Exception {
        Path source = Files.createTempDirectory("gnu-tar-source");
        try {
            String longName = "d/" + "n".repeat(150);
            Files.createDirectories(source.resolve(longName).getParent());
            Files.writeString(source.resolve(longName), "long");
            Files.copy(Path.of("/bin/busybox"), source.resolve("busybox"));
            Files.createLink(source.resolve("busybox-link"), source.resolve("busybox"));
            Files.createSymbolicLink(source.resolve("sh"), Path.of("busybox"));
            Files.createFile(source.resolve("d/.wh.gone"));
            Process tar = new ProcessBuilder("tar", "--numeric-owner", "-C", source.toString(), "-cf", "-", ".").start();

            LayerUnpacker.unpack(tar.getInputStream(), layer, "gnu");
            assertThat(tar.waitFor()).isZero();

            assertThat(layer.resolve(longName)).hasContent("long");
            assertThat(layer.resolve("busybox")).hasSameBinaryContentAs(Path.of("/bin/busybox"));
            assertThat(attribute(layer.resolve("busybox-link"), "ino")).isEqualTo(attribute(layer.resolve("busybox"), "ino"));
            assertThat(Files.readSymbolicLink(layer.resolve("sh"))).isEqualTo(Path.of("busybox"));
            assertThat(attribute(layer.resolve("d/gone"), "mode") & 0170000).isEqualTo((long) FileSystemCalls.S_IFCHR);
        } finally {
            try (Stream<Path> tree = Files.walk(source)) {
                tree.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void entriesClimbingOutOfTheLayerAreRefused() throws IOException {
        assertThatThrownBy(() -> unpack(new TestTar().rawFile("../../escaped", "x").toBytes()))
                .isInstanceOf(ImageException.class)
                .hasMessage("layer test-layer: entry \"../../escaped\": the name leads outside the layer directory");
        assertThat(layer.getParent().resolve("escaped")).doesNotExist();

        assertThatThrownBy(() -> unpack(new TestTar().rawFile("a/../../escaped", "x").toBytes()))
                .hasMessageContaining("leads outside the layer directory");
    }

    @Test
    void absoluteEntryNamesStayInsideTheLayer() throws IOException {
        unpack(new TestTar().rawFile("/etc/absolute", "inside").toBytes());

        assertThat(layer.resolve("etc/absolute")).hasContent("inside");
    }

    @Test
    void writingThroughASymlinkedDirectoryIsRefused() throws IOException {
        Path outside = Files.createTempDirectory("outside");
        try {
            assertThatThrownBy(() -> unpack(new TestTar()
                    .symlink("evil", outside.toString())
                    .file("evil/planted", "x")
                    .toBytes()))
                    .isInstanceOf(ImageException.class)
                    .hasMessageContaining("entry \"evil/planted\": its parent \"evil\" is a symbolic link");
            try (Stream<Path> planted = Files.list(outside)) {
                assertThat(planted).isEmpty();
            }
        } finally {
            Files.delete(outside);
        }
    }

    @Test
    void hardlinksToNamesOutsideTheLayerAreRefused() {
        assertThatThrownBy(() -> unpack(new TestTar().hardlink("passwd", "../../../etc/passwd").toBytes()))
                .isInstanceOf(ImageException.class)
                .hasMessageContaining("leads outside the layer directory");
    }
}
