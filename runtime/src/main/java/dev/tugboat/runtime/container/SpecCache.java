package dev.tugboat.runtime.container;

import dev.tugboat.runtime.oci.Spec;
import dev.tugboat.runtime.oci.SpecException;
import dev.tugboat.runtime.oci.SpecParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parsed config.json of recently used bundles. A node agent creates many containers from the same few bundles,
 * and parsing plus validating is a large share of a warm create; the file is still read every time, and its text must
 * equal the cached one exactly, so an edited config.json is always parsed anew.
 */
final class SpecCache {
  private static final int MAX_BUNDLES = 64;

  private record Parsed(String text, Spec spec) {}

  private final Map<Path, Parsed> byBundle = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Path, Parsed> eldest) {
      return size() > MAX_BUNDLES;
    }
  };

  /** Like {@link SpecParser#read}: {@code bundle/config.json}, parsed and validated. */
  Spec read(Path bundle) {
    Path file = bundle.resolve("config.json");
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new SpecException("config.json: not found in bundle " + bundle);
    } catch (IOException e) {
      throw new SpecException("config.json: cannot read " + file + ": " + e.getMessage());
    }
    synchronized (byBundle) {
      Parsed cached = byBundle.get(bundle);
      if (cached != null && cached.text().equals(text)) return cached.spec();
    }
    Spec spec = SpecParser.parse(text);
    synchronized (byBundle) {
      byBundle.put(bundle, new Parsed(text, spec));
    }
    return spec;
  }
}
