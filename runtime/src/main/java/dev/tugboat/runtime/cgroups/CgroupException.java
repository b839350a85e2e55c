package dev.tugboat.runtime.cgroups;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Map;

/** A cgroup operation failed; the message names the step, the path and the errno. */
public final class CgroupException extends RuntimeException {

    // strerror(3) texts as the JDK reports them, so a message carries the errno a reader can look up.
    private static final Map<String, String> ERRNO_BY_REASON = Map.ofEntries(
            Map.entry("Operation not permitted", "EPERM"),
            Map.entry("No such file or directory", "ENOENT"),
            Map.entry("No such process", "ESRCH"),
            Map.entry("Resource temporarily unavailable", "EAGAIN"),
            Map.entry("Permission denied", "EACCES"),
            Map.entry("Device or resource busy", "EBUSY"),
            Map.entry("File exists", "EEXIST"),
            Map.entry("Invalid argument", "EINVAL"),
            Map.entry("No space left on device", "ENOSPC"),
            Map.entry("Directory not empty", "ENOTEMPTY"),
            Map.entry("Read-only file system", "EROFS"),
            Map.entry("Numerical result out of range", "ERANGE"),
            Map.entry("Operation not supported", "EOPNOTSUPP"));

    public CgroupException(String message) {
        super(message);
    }

    public CgroupException(String message, Throwable cause) {
        super(message, cause);
    }

    /** "rmdir /sys/fs/cgroup/memory/tugboat/x: EBUSY (Device or resource busy)" for step "rmdir /sys/.../x". */
    static CgroupException of(String step, IOException cause) {
        return new CgroupException(step + ": " + errnoOf(cause), cause);
    }

    /** The errno name and text of an I/O failure, as far as the JDK tells it. */
    static String errnoOf(IOException e) {
        String reason;
        if (e instanceof NoSuchFileException) {
            reason = "No such file or directory";
        } else if (e instanceof AccessDeniedException) {
            reason = "Permission denied";
        } else if (e instanceof FileAlreadyExistsException) {
            reason = "File exists";
        } else if (e instanceof DirectoryNotEmptyException) {
            reason = "Directory not empty";
        } else if (e instanceof FileSystemException fse && fse.getReason() != null) {
            reason = fse.getReason();
        } else {
            reason = String.valueOf(e.getMessage());
        }
        String errno = ERRNO_BY_REASON.get(reason);
        return errno == null ? reason : errno + " (" + reason + ")";
    }

    static boolean isErrno(IOException e, String errno) {
        return errnoOf(e).startsWith(errno + " ");
    }
}
