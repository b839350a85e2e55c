package dev.tugboat.control.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tug up's own flags: bad values are refused naming the flag, before anything starts. */
class UpCommandTest {

  @TempDir
  Path dir;

  private record Outcome(int exit, String stderr) {}

  private Outcome up(String... args) {
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true));
    try {
      String[] all = new String[args.length + 3];
      all[0] = "up";
      all[1] = "--data-dir";
      all[2] = dir.resolve("data").toString();
      System.arraycopy(args, 0, all, 3, args.length);
      return new Outcome(TugMain.commandLine().execute(all), captured.toString());
    } finally {
      System.setErr(stderr);
    }
  }

  @Test
  void aNodeNameThatIsNotADnsSubdomainIsRefusedAndNothingStarts() {
    Outcome outcome = up("--node-name", "Not_A_Name");
    assertThat(outcome.exit()).isEqualTo(2);
    assertThat(outcome.stderr()).contains("tug up: --node-name Not_A_Name: must be a DNS subdomain");
    assertThat(Files.exists(dir.resolve("data"))).isFalse();
  }

  @Test
  void aGracePeriodThatIsNotADurationIsRefusedNamingTheFlag() {
    for (String bad : new String[] {"forty", "40", "0s", "-5s", "5x"}) {
      Outcome outcome = up("--node-name", "n", "--node-monitor-grace-period", bad);
      assertThat(outcome.exit()).as(bad).isEqualTo(2);
      assertThat(outcome.stderr()).contains("tug up: --node-monitor-grace-period " + bad + ": want a positive duration");
    }
    assertThat(Files.exists(dir.resolve("data"))).isFalse();
  }

  @Test
  void durationsAreReadAsKubeFlagsGiveThem() {
    assertThat(UpCommand.goDuration("40s")).isEqualTo(Duration.ofSeconds(40));
    assertThat(UpCommand.goDuration("1m30s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(UpCommand.goDuration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(UpCommand.goDuration("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(UpCommand.goDuration("s")).isNull();
    assertThat(UpCommand.goDuration("")).isNull();
    assertThat(UpCommand.goDuration("10s ")).isNull();
  }
}
