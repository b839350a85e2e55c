package dev.tugboat.runtime.images;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * The few system calls layer unpacking needs that the JDK lacks: mknod(2) for device nodes, fifos and overlay
 * whiteouts, chmod(2) with the set-id and sticky bits, and the {@code trusted.*} and {@code security.*} extended
 * attributes (the JDK only reaches {@code user.*}).
 */
final class FileSystemCalls {

    static final int S_IFIFO = 0010000;
    static final int S_IFCHR = 0020000;
    static final int S_IFBLK = 0060000;

    /** The C library functions, bound by name through jnr-ffi. */
    public interface LibC {
        int mknod(String path, int mode, long dev);

        int chmod(String path, int mode);

        int lsetxattr(String path, String name, byte[] value, long size, int flags);

        long lgetxattr(String path, String name, byte[] value, long size);

        int utimensat(int dirfd, String path, long[] times, int flags);

        String strerror(int errno);
    }

    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;

    private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    private static final Runtime RUNTIME = Runtime.getRuntime(LIBC);

    private FileSystemCalls() {}

    static void mknod(Path path, int type, int permissions, int major, int minor) throws IOException {
        check(LIBC.mknod(path.toString(), type | permissions, makedev(major, minor)), "mknod", path);
    }

    /** chmod(2) with all twelve mode bits (the JDK's PosixFilePermission drops set-uid, set-gid and sticky). */
    static void chmod(Path path, int mode) throws IOException {
        check(LIBC.chmod(path.toString(), mode & 07777), "chmod", path);
    }

    /**
     * Sets access and modification time of the path itself, symlink or not, without opening it: the JDK opens the
     * file, which blocks on a fifo and may have effects on a device.
     */
    static void setTimes(Path path, FileTime time) throws IOException {
        long nanos = time.to(TimeUnit.NANOSECONDS);
        long seconds = Math.floorDiv(nanos, 1_000_000_000L);
        long rest = Math.floorMod(nanos, 1_000_000_000L);
        long[] times = {seconds, rest, seconds, rest};
        check(LIBC.utimensat(AT_FDCWD, path.toString(), times, AT_SYMLINK_NOFOLLOW), "utimensat", path);
    }

    static void setXattr(Path path, String name, byte[] value) throws IOException {
        check(LIBC.lsetxattr(path.toString(), name, value, value.length, 0), "lsetxattr " + name, path);
    }

    /** The attribute's value, or null when the file does not have it. */
    static String getXattr(Path path, String name) throws IOException {
        byte[] buffer = new byte[256];
        long length = LIBC.lgetxattr(path.toString(), name, buffer, buffer.length);
        if (length < 0) {
            int errno = RUNTIME.getLastError();
            if (errno == 61) { // ENODATA
                return null;
            }
            throw new IOException("lgetxattr " + name + " " + path + ": " + LIBC.strerror(errno));
        }
        return new String(buffer, 0, (int) length, StandardCharsets.UTF_8);
    }

    // glibc's makedev(3): the 12-bit and 20-bit halves of major and minor interleave in a 64-bit dev_t.
    static long makedev(long major, long minor) {
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8)
                | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
    }

    private static void check(int result, String call, Path path) throws IOException {
        if (result != 0) {
            int errno = RUNTIME.getLastError();
            throw new NativeCallException(call + " " + path + ": " + errnoName(errno) + " (" + LIBC.strerror(errno) + ")", errno);
        }
    }

    private static String errnoName(int errno) {
        return switch (errno) {
            case 1 -> "EPERM";
            case 2 -> "ENOENT";
            case 13 -> "EACCES";
            case 17 -> "EEXIST";
            case 22 -> "EINVAL";
            case 28 -> "ENOSPC";
            case 30 -> "EROFS";
            case 95 -> "EOPNOTSUPP";
            default -> "errno " + errno;
        };
    }

    /** A failed call with its errno, so callers can tell "not permitted here" from real failures. */
    static final class NativeCallException extends IOException {
        final int errno;

        NativeCallException(String message, int errno) {
            super(message);
            this.errno = errno;
        }

        boolean notPermitted() {
            return errno == 1 || errno == 13;
        }
    }
}
