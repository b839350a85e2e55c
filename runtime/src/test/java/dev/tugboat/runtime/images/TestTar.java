package dev.tugboat.runtime.images;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Writes tar archives for tests: layers with every entry type, whiteouts, and whole image archives. */
final class TestTar {

    static final FileTime MTIME = FileTime.from(Instant.parse("2024-05-01T12:00:00Z"));

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, StandardCharsets.UTF_8.name());

    TestTar() {
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    TestTar dir(String name, int mode) {
        TarArchiveEntry entry = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
        entry.setMode(mode);
        return put(entry, null);
    }

    TestTar file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8), 0644, 0, 0);
    }

    TestTar file(String name, byte[] content, int mode, int uid, int gid) {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(mode);
        entry.setUserId(uid);
        entry.setGroupId(gid);
        entry.setSize(content.length);
        return put(entry, content);
    }

    TestTar file(String name, Path source, int mode) {
        try {
            return file(name, Files.readAllBytes(source), mode, 0, 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    TestTar symlink(String name, String target) {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
        entry.setLinkName(target);
        entry.setUserId(7);
        entry.setGroupId(8);
        return put(entry, null);
    }

    TestTar hardlink(String name, String target) {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_LINK);
        entry.setLinkName(target);
        return put(entry, null);
    }

    TestTar charDevice(String name, int major, int minor) {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_CHR);
        entry.setDevMajor(major);
        entry.setDevMinor(minor);
        entry.setMode(0666);
        return put(entry, null);
    }

    TestTar fifo(String name) {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_FIFO);
        entry.setMode(0600);
        return put(entry, null);
    }

    TestTar whiteout(String dir, String name) {
        return file((dir.isEmpty() ? "" : dir + "/") + ".wh." + name, new byte[0], 0644, 0, 0);
    }

    TestTar opaque(String dir) {
        return file(dir + "/.wh..wh..opq", new byte[0], 0644, 0, 0);
    }

    TestTar withXattr(String name, String xattrName, String value) {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(0755);
        entry.setSize(4);
        entry.addPaxHeader("SCHILY.xattr." + xattrName, value);
        return put(entry, "exec".getBytes(StandardCharsets.US_ASCII));
    }

    /** A raw entry name, as a hostile archive would write it. */
    TestTar rawFile(String name, String content) {
        TarArchiveEntry entry = new TarArchiveEntry(name, true);
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        entry.setSize(data.length);
        entry.setMode(0644);
        return put(entry, data);
    }

    private TestTar put(TarArchiveEntry entry, byte[] content) {
        try {
            entry.setModTime(MTIME);
            tar.putArchiveEntry(entry);
            if (content != null) {
                tar.write(content);
            }
            tar.closeArchiveEntry();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    byte[] toBytes() {
        try {
            tar.finish();
            tar.close();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] gzip(byte[] content) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GzipCompressorOutputStream gzip = new GzipCompressorOutputStream(out)) {
                gzip.write(content);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
