package dev.tugboat.control.apiserver.resources.watchcache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RepeatedStringsTest {

  private final RepeatedStrings strings = new RepeatedStrings();

  @Test
  void anEqualStringGivenAgainIsTheFirstOne() {
    String first = new String("default-scheduler");
    assertThat(strings.canonical(first)).isSameAs(first);
    assertThat(strings.canonical(new String("default-scheduler"))).isSameAs(first);
  }

  @Test
  void aDifferentStringIsItself() {
    strings.canonical("Pending");
    String running = new String("Running");
    assertThat(strings.canonical(running)).isSameAs(running).isEqualTo("Running");
  }

  @Test
  void twoStringsThatShareASlotEachComeBackEqual() {
    // "Aa" and "BB" have the same hash, so the same slot: each is still answered with an equal string
    String aa = strings.canonical(new String("Aa"));
    String bb = strings.canonical(new String("BB"));
    assertThat(aa).isEqualTo("Aa");
    assertThat(bb).isEqualTo("BB");
    assertThat(strings.canonical(new String("Aa"))).isEqualTo("Aa");
  }

  @Test
  void emptyAndNullAreThemselves() {
    assertThat(strings.canonical(new String(""))).isSameAs("");
    assertThat(strings.canonical(null)).isNull();
  }

  @Test
  void aMapKeepsItsEntriesWithEqualKeysAndValuesSharedAcrossMaps() {
    Map<String, String> first = strings.canonicalMap(new HashMap<>(Map.of(new String("app"), new String("web"))));
    Map<String, String> second = strings.canonicalMap(new HashMap<>(Map.of(new String("app"), new String("web"))));
    assertThat(second).isEqualTo(Map.of("app", "web"));
    assertThat(second.get("app")).isSameAs(first.get("app"));
    assertThat(second.keySet().iterator().next()).isSameAs(first.keySet().iterator().next());
    assertThat(strings.canonicalMap(new HashMap<>())).isSameAs(Map.of());
  }
}
