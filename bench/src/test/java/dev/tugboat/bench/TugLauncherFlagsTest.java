package dev.tugboat.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** bin/tug and the build's surefire runs must start the JVM with the same flags, or tests prove nothing about tug. */
class TugLauncherFlagsTest {

  @Test
  void launcherRunsWithTheFlagsThePomGivesTests() throws Exception {
    Path top = Path.of("").toAbsolutePath().getParent();
    String pom = Files.readString(top.resolve("pom.xml"));
    String launcher = Files.readString(top.resolve("bin/tug"));

    Matcher pomFlags = Pattern.compile("<tug.jvm.flags>([^<]*)</tug.jvm.flags>").matcher(pom);
    Matcher launcherFlags = Pattern.compile("JVM_FLAGS=\\(([^)]*)\\)").matcher(launcher);
    assertThat(pomFlags.find()).as("tug.jvm.flags in pom.xml").isTrue();
    assertThat(launcherFlags.find()).as("JVM_FLAGS in bin/tug").isTrue();

    List<String> fromPom = Arrays.asList(pomFlags.group(1).trim().split("\\s+"));
    List<String> fromLauncher = Arrays.asList(launcherFlags.group(1).trim().split("\\s+"));
    assertThat(fromLauncher).containsExactlyElementsOf(fromPom);
    assertThat(fromPom).contains("-Dchronicle.analytics.disable=true");
  }
}
