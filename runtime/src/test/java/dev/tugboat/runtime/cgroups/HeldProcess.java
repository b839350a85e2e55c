package dev.tugboat.runtime.cgroups;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A busybox shell script that waits on its stdin before it runs, so a test can move it into a cgroup first and every
 * byte and task it makes is accounted there.
 */
final class HeldProcess implements AutoCloseable {

    private final Process process;

    private HeldProcess(Process process) {
        this.process = process;
    }

    static HeldProcess start(String script) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("/bin/busybox", "sh", "-c", "read go; " + script);
        builder.redirectErrorStream(true);
        return new HeldProcess(builder.start());
    }

    int pid() {
        return (int) process.pid();
    }

    void release() throws IOException {
        OutputStream stdin = process.getOutputStream();
        stdin.write("go\n".getBytes(StandardCharsets.US_ASCII));
        stdin.flush();
    }

    /** Waits for the exit and returns the status as the shell reports it (128 + signal for a killed process). */
    int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    /** The next line the script prints (a marker that it reached a point), blocking until it does. */
    String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = process.getInputStream().read(); c != -1 && c != '\n'; c = process.getInputStream().read()) {
            line.append((char) c);
        }
        return line.toString();
    }

    String output() throws IOException {
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        // Only this process, by its own handle: descendants are the cgroup's business (killAll).
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
