package dev.tugboat.nativebindings;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tug-init binary that ships inside this jar (its protocol is documented at the top of
 * {@code src/main/c/tug-init.c}), extracted on first use to {@code <dir>/tug-init-<sha256>}: the content address means
 * JVMs of different builds never overwrite each other's copy, and a running container's binary never changes.
 */
public final class TugInit {
  public static final Path DEFAULT_DIR = Path.of("/run/tugboat/bin");
  private static final String RESOURCE = "tug-init";
  private static final ConcurrentHashMap<Path, Path> EXTRACTED = new ConcurrentHashMap<>();

  private TugInit() {}

  /** The extracted binary under {@code dir}, extracting it if this JVM has not yet. */
  public static Path extractTo(Path dir) {
    return EXTRACTED.computeIfAbsent(dir.toAbsolutePath(), TugInit::extract);
  }

  private static Path extract(Path dir) {
    byte[] binary = binary();
    Path target = dir.resolve("tug-init-" + sha256(binary));
    try {
      if (Files.isRegularFile(target) && Files.size(target) == binary.length) return target;
      Files.createDirectories(dir);
      Path temp = Files.createTempFile(dir, ".tug-init-", ".tmp");
      Files.write(temp, binary);
      Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("r-xr-xr-x"));
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("extract tug-init to " + target + ": " + e.getMessage(), e);
    }
  }

  static byte[] binary() {
    try (InputStream in = TugInit.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("tug-init is missing from the native-bindings jar (the build compiles it with gcc)");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("read tug-init from the jar: " + e.getMessage(), e);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
