package dev.tugboat.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tugboat.runtime.oci.SpecException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecCacheTest {
  @TempDir Path tmp;

  @Test
  void anUnchangedConfigIsParsedOnceAndAnEditedOneAnew() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"), "true");
    SpecCache cache = new SpecCache();
    var first = cache.read(bundle);
    assertThat(cache.read(bundle)).isSameAs(first);
    Path config = bundle.resolve("config.json");
    Files.writeString(config, Files.readString(config).replace("\"true\"", "\"false\""));
    assertThat(cache.read(bundle).process().args()).containsExactly("false");
  }

  @Test
  void aConfigThatTurnedInvalidOrVanishedIsAnErrorNotTheCachedSpec() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"), "true");
    SpecCache cache = new SpecCache();
    cache.read(bundle);
    Files.writeString(bundle.resolve("config.json"), "{");
    assertThatThrownBy(() -> cache.read(bundle)).isInstanceOf(SpecException.class)
        .hasMessageStartingWith("config.json: not valid JSON");
    Files.delete(bundle.resolve("config.json"));
    assertThatThrownBy(() -> cache.read(bundle)).isInstanceOf(SpecException.class)
        .hasMessage("config.json: not found in bundle " + bundle);
  }
}
