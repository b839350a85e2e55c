package dev.tugboat.runtime.cgroups;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** Reads and writes of cgroup control files; every failure names the file, the value and the errno. */
final class CgroupFiles {

    private CgroupFiles() {}

    /** One write(2) of the value, without O_TRUNC or O_CREAT: control files take a whole value per write. */
    static void write(Path file, String value) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(value.getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException e) {
            throw CgroupException.of("write \"" + value + "\" to " + file, e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            throw CgroupException.of("read " + file, e);
        }
    }

    /** The file's number, null when the file is absent (its controller is not enabled) or reads "max". */
    static Long readLongOrNull(Path file) {
        if (!Files.exists(file)) {
            return null;
        }
        String value = read(file);
        if (value.equals("max")) {
            return null;
        }
        return parseLong(file, value);
    }

    /** The value of {@code key} in a flat keyed file ("oom_kill 3" lines), null when the file or key is absent. */
    static Long readKeyedOrNull(Path file, String key) {
        if (!Files.exists(file)) {
            return null;
        }
        for (String line : read(file).split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length == 2 && fields[0].equals(key)) {
                return parseLong(file, fields[1]);
            }
        }
        return null;
    }

    /** The pids listed in a cgroup.procs file; an absent file (cgroup already removed) lists none. */
    static List<Integer> readPids(Path procsFile) {
        List<Integer> pids = new ArrayList<>();
        String content;
        try {
            content = Files.readString(procsFile, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return pids;
        } catch (IOException e) {
            throw CgroupException.of("read " + procsFile, e);
        }
        for (String line : content.split("\n")) {
            if (!line.isBlank()) {
                pids.add(Integer.parseInt(line.trim()));
            }
        }
        return pids;
    }

    private static long parseLong(Path file, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new CgroupException(file + ": expected a number, read \"" + value + "\"");
        }
    }
}
