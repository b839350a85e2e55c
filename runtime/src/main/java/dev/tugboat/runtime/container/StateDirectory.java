package dev.tugboat.runtime.container;

import dev.tugboat.nativebindings.WaitStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import tools.jackson.databind.ObjectMapper;

/**
 * One container's directory under the runtime root ({@code <root>/<id>}, like runc's): state.json, the exec.fifo that
 * `start` opens (present while the container is created and not started) and the exit file with the wait status.
 */
final class StateDirectory {
  static final String STATE_FILE = "state.json";
  static final String EXEC_FIFO = "exec.fifo";
  static final String EXIT_FILE = "exit";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;

  StateDirectory(Path dir) {
    this.dir = dir;
  }

  Path path() {
    return dir;
  }

  Path fifo() {
    return dir.resolve(EXEC_FIFO);
  }

  boolean exists() {
    return Files.isRegularFile(dir.resolve(STATE_FILE));
  }

  boolean started() {
    return !Files.exists(fifo());
  }

  ContainerRecord read() {
    try {
      return JSON.readValue(Files.readString(dir.resolve(STATE_FILE)), ContainerRecord.class);
    } catch (IOException e) {
      throw new UncheckedIOException("read " + dir.resolve(STATE_FILE) + ": " + e.getMessage(), e);
    }
  }

  void write(ContainerRecord record) {
    writeAtomically(STATE_FILE, JSON.writeValueAsString(record));
  }

  Optional<WaitStatus> exit() {
    try {
      return Optional.of(WaitStatus.fromRaw(Integer.parseInt(Files.readString(dir.resolve(EXIT_FILE)).trim())));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | NumberFormatException e) {
      throw new IllegalStateException("read " + dir.resolve(EXIT_FILE) + ": " + e.getMessage(), e);
    }
  }

  /** Records the exit unless tug-init (init mode) already did. */
  void recordExit(WaitStatus status) {
    if (Files.exists(dir) && !Files.exists(dir.resolve(EXIT_FILE))) writeAtomically(EXIT_FILE, status.raw() + "\n");
  }

  private void writeAtomically(String name, String content) {
    Path temp = dir.resolve(name + ".tmp");
    try {
      Files.writeString(temp, content);
      try {
        Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("write " + dir.resolve(name) + ": " + e.getMessage(), e);
    }
  }

  void removeFifo() {
    try {
      Files.deleteIfExists(fifo());
    } catch (IOException e) {
      throw new UncheckedIOException("remove " + fifo() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Removes the directory and everything in it: gone from the root when this returns, its files removed by {@code
   * spares}' cleaner, which may keep the emptied directory as a spare.
   */
  void removeAll(SpareStateDirectories spares) {
    try {
      spares.discard(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("remove " + dir + ": " + e.getMessage(), e);
    }
  }
}
