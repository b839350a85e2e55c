package dev.tugboat.runtime.container;

import dev.tugboat.nativebindings.Errnos;
import dev.tugboat.nativebindings.Linux;
import dev.tugboat.nativebindings.NativeCallException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.util.Comparator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emptied state directories kept under the root as {@code .spare-<random>} and renamed into place for the next
 * container. On ext4 (this machine's /run) a mkdir and an rmdir cost about 0.5 and 1-2 ms, each allocating or
 * freeing a block in the journal; a rename in the same directory costs about 0.05 ms. The names cannot be container
 * ids (which start with a letter or digit), and a directory without state.json is no container, so nothing lists
 * them; at most {@link #MAX} stay per root, and a later runtime over the same root adopts them.
 *
 * <p>A deleted container's directory is renamed to {@code .trash-<random>} (0.01 ms), which takes it out of the root
 * at once, and emptied by the {@link Teardown} thread afterwards: unlinking its files, listing and moving it took
 * 0.6-0.7 ms median per run on the path. Trash that a JVM left behind is emptied by the next runtime over the root.
 */
final class SpareStateDirectories {
  static final int MAX = 4;
  private static final String PREFIX = ".spare-";
  private static final String TRASH_PREFIX = ".trash-";
  private static final Logger LOG = LoggerFactory.getLogger(SpareStateDirectories.class);

  private final Path root;
  private final ConcurrentLinkedQueue<Path> spares = new ConcurrentLinkedQueue<>();

  SpareStateDirectories(Path root) {
    this.root = root;
    if (!Files.isDirectory(root)) return;
    try (DirectoryStream<Path> found = Files.newDirectoryStream(root, PREFIX + "*")) {
      for (Path spare : found) spares.add(spare);
    } catch (IOException e) {
      throw new UncheckedIOException("list " + root + ": " + e.getMessage(), e);
    }
    try (DirectoryStream<Path> found = Files.newDirectoryStream(root, TRASH_PREFIX + "*")) {
      for (Path trash : found) Teardown.later(() -> clean(trash));
    } catch (IOException e) {
      throw new UncheckedIOException("list " + root + ": " + e.getMessage(), e);
    }
  }

  /**
   * Takes {@code dir} out of the root at once and leaves its removal (or its keeping as a spare) to the cleaner.
   * Does nothing when it does not exist.
   */
  void discard(Path dir) throws IOException {
    Path trash = root.resolve(TRASH_PREFIX + Long.toHexString(ThreadLocalRandom.current().nextLong()));
    try {
      Linux.renameNoReplace(dir.toString(), trash.toString());
    } catch (NativeCallException e) {
      if (e.errno() == Errnos.ENOENT) return;
      // EEXIST (a random name taken) or anything else: empty it here instead
      empty(dir);
      remove(dir);
      return;
    }
    Teardown.soon(() -> clean(trash));
  }

  /** Returns once the cleaner has dealt with every directory discarded so far. */
  void awaitCleaner() {
    Teardown.await();
  }

  private void clean(Path trash) {
    try {
      empty(trash);
      remove(trash);
    } catch (IOException | RuntimeException e) {
      LOG.warn("remove deleted container state {}: {}", trash, e.toString());
    }
  }

  /** Removes everything in {@code dir} (a state directory holds files only; anything deeper is walked). */
  private static void empty(Path dir) throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
          try (Stream<Path> walk = Files.walk(entry)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
          }
        } else {
          Files.deleteIfExists(entry);
        }
      }
    } catch (NoSuchFileException gone) {
      // removed meanwhile
    }
  }

  /**
   * Creates {@code dir} (mode 0711), from a spare when there is one.
   *
   * @throws FileAlreadyExistsException when {@code dir} exists
   */
  void create(Path dir) throws IOException {
    for (Path spare; (spare = spares.poll()) != null; ) {
      try {
        Linux.renameNoReplace(spare.toString(), dir.toString());
        return;
      } catch (NativeCallException e) {
        if (e.errno() == Errnos.EEXIST) {
          spares.add(spare);
          throw new FileAlreadyExistsException(dir.toString());
        }
        // ENOENT: another runtime over the same root took it; try the next
      }
    }
    Files.createDirectories(root);
    Files.createDirectory(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
  }

  /** Removes {@code dir}, which must be empty: kept as a spare while there are fewer than {@link #MAX}. */
  void remove(Path dir) throws IOException {
    if (spares.size() < MAX) {
      Path spare = root.resolve(PREFIX + Long.toHexString(ThreadLocalRandom.current().nextLong()));
      try {
        Linux.renameNoReplace(dir.toString(), spare.toString());
        spares.add(spare);
        return;
      } catch (NativeCallException e) {
        if (e.errno() == Errnos.ENOENT) return;
        // anything else: remove it for real
      }
    }
    Files.deleteIfExists(dir);
  }
}
