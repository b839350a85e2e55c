package dev.tugboat.runtime.cgroups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Spare v1 cgroups against the real kernel. The background executor here is a queue the test runs by hand, so it
 * sees each step; spares and trash of other JVMs on the machine (same parent) are told apart by name.
 */
class SpareCgroupsTest {
    private final CgroupDriver driver = CgroupDriver.forVersion(CgroupVersion.V1);
    private final CgroupMounts mounts = CgroupMounts.read();
    private final ArrayDeque<Runnable> background = new ArrayDeque<>();
    private String name;

    @BeforeEach
    void setUp() {
        name = "test-spare-" + UUID.randomUUID().toString().substring(0, 8);
        driver.keepSpares(1, background::add);
    }

    @AfterEach
    void nothingLeaked() throws IOException {
        driver.removeSpares();
        runBackground();
        for (String suffix : List.of("-a", "-b", "-c")) {
            if (driver.exists(name + suffix)) driver.open(name + suffix).delete();
        }
        runBackground();
        for (Path parent : parents()) {
            try (Stream<Path> children = Files.list(parent)) {
                assertThat(children.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(name));
            }
        }
    }

    private void runBackground() {
        for (Runnable r; (r = background.poll()) != null; ) r.run();
    }

    private List<Path> parents() {
        return CgroupV1Driver.V1_CONTROLLERS.stream().map(c -> mounts.v1().get(c).resolve(CgroupDriver.PARENT)).toList();
    }

    /** Names starting with {@code prefix} in every spare hierarchy's parent. */
    private Set<String> named(String prefix) throws IOException {
        Set<String> out = new TreeSet<>();
        for (Path parent : parents()) {
            try (Stream<Path> children = Files.list(parent)) {
                out.addAll(children.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix))
                        .collect(Collectors.toSet()));
            }
        }
        return out;
    }

    @Test
    void fromTheSecondCgroupOnASpareIsMadeAndTheNextCgroupIsThatSpareRenamedWithItsLimits() throws Exception {
        driver.create(name + "-a", CgroupLimits.NONE);
        assertThat(background).as("no spare for a process that makes one cgroup").isEmpty();
        driver.create(name + "-b", CgroupLimits.NONE);
        runBackground();
        // Made here, or (while another JVM on the machine has left one) adopted instead of made.
        Set<String> spares = named(SpareCgroups.PREFIX);
        assertThat(spares).isNotEmpty();

        Cgroup c = driver.create(name + "-c", CgroupLimits.NONE.withPidsLimit(8L));

        Set<String> taken = new TreeSet<>(spares);
        taken.removeAll(named(SpareCgroups.PREFIX));
        assertThat(taken).as("one spare renamed into place").hasSize(1);
        for (Path parent : parents()) assertThat(parent.resolve(name + "-c")).isDirectory();
        assertThat(c.directories()).hasSize(parents().size());
        assertThat(c.stats().pidsLimit()).isEqualTo(8L);
    }

    @Test
    void deleteRenamesTheCgroupAwayAtOnceAndRemovesItInTheBackground() throws Exception {
        Cgroup a = driver.create(name + "-a", CgroupLimits.NONE);
        Set<String> trashBefore = named(SpareCgroups.TRASH_PREFIX);

        a.delete();

        assertThat(driver.exists(name + "-a")).isFalse();
        Set<String> ours = named(SpareCgroups.TRASH_PREFIX);
        ours.removeAll(trashBefore);
        assertThat(ours).hasSize(1);
        runBackground();
        assertThat(named(ours.iterator().next())).isEmpty();
    }

    @Test
    void aSpareIsNotRenamedOntoAnExistingCgroupAndStaysForTheNext() throws Exception {
        driver.create(name + "-a", CgroupLimits.NONE);
        driver.create(name + "-b", CgroupLimits.NONE);
        runBackground();

        assertThatThrownBy(() -> driver.create(name + "-a", CgroupLimits.NONE)).isInstanceOf(CgroupException.class)
                .hasMessageContaining("EEXIST");

        Set<String> sparesBefore = named(SpareCgroups.PREFIX);
        driver.create(name + "-c", CgroupLimits.NONE);
        Set<String> taken = new TreeSet<>(sparesBefore);
        taken.removeAll(named(SpareCgroups.PREFIX));
        assertThat(taken).as("the spare kept after the refused create is the one taken next").hasSize(1);
    }

    @Test
    void aSpareAnotherJvmIsTakingIsLeftToItInTheHierarchiesItHasNotReachedYet() throws Exception {
        // A parent of this test's own, so no other JVM's spares are adopted; both "JVMs" adopt the one spare there.
        List<Path> parents = parents().stream().distinct().map(p -> p.resolve(name)).toList();
        String spare = SpareCgroups.PREFIX + "shared";
        for (Path parent : parents) Files.createDirectories(parent.resolve(spare));
        SpareCgroups ours = new SpareCgroups(parents, 1, background::add);
        try {
            assertThat(ours.take(name + "-a")).isEmpty();
            assertThat(ours.take(name + "-a")).as("adopted only in the background").isEmpty();
            runBackground();
            // The other JVM has renamed it in the first hierarchy and is about to in the others.
            Files.move(parents.get(0).resolve(spare), parents.get(0).resolve("theirs"));

            assertThat(ours.take(name + "-b")).isEmpty();

            for (Path parent : parents.subList(1, parents.size())) {
                assertThat(parent.resolve(spare)).as("still there for the other JVM to take").isDirectory();
                Files.move(parent.resolve(spare), parent.resolve("theirs"));
            }
        } finally {
            ours.close();
            runBackground();
            for (Path parent : parents) {
                try (Stream<Path> children = Files.list(parent)) {
                    for (Path child : children.filter(Files::isDirectory).toList()) Files.delete(child);
                }
                Files.delete(parent);
            }
        }
    }

    @Test
    void aSpareMissingFromALaterHierarchyIsRemovedFromTheOthers() throws Exception {
        List<Path> parents = parents().stream().distinct().map(p -> p.resolve(name)).toList();
        String spare = SpareCgroups.PREFIX + "broken";
        for (Path parent : parents) Files.createDirectories(parent.resolve(spare));
        SpareCgroups ours = new SpareCgroups(parents, 1, background::add);
        try {
            ours.take(name + "-a");
            ours.take(name + "-a");
            runBackground();
            Files.delete(parents.get(1).resolve(spare));

            assertThat(ours.take(name + "-b")).isEmpty();

            for (Path parent : parents) {
                assertThat(parent.resolve(spare)).doesNotExist();
                assertThat(parent.resolve(name + "-b")).doesNotExist();
            }
        } finally {
            ours.close();
            runBackground();
            for (Path parent : parents) {
                try (Stream<Path> children = Files.list(parent)) {
                    for (Path child : children.filter(Files::isDirectory).toList()) Files.delete(child);
                }
                Files.delete(parent);
            }
        }
    }
}
