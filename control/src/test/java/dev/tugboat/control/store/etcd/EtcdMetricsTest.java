package dev.tugboat.control.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class EtcdMetricsTest {

  private static final EtcdMetrics.MemberFigures MEMBER =
      new EtcdMetrics.MemberFigures(0xabcL, true, false, false, 12, 4096, 30, 7, "3.5.0");
  private static final ProcessFigures PROCESS = new ProcessFigures(123_456_789L, 2_000_000_000L, 3.25, 42, 1024,
      1_795_924_409.02);

  private static String render() {
    return EtcdMetrics.render(MEMBER, PROCESS);
  }

  @Test
  void everySampleHasItsHelpAndTypeAndEtcdsName() {
    String text = render();
    assertThat(text).contains(
        "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes 123456789\n",
        "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 3.25\n",
        "process_open_fds 42\n", "process_max_fds 1024\n", "process_start_time_seconds 1.79592440902E9\n",
        "etcd_server_has_leader 1\n", "etcd_server_is_leader 0\n", "etcd_server_is_learner 0\n",
        "etcd_mvcc_db_total_size_in_bytes 4096\n", "etcd_debugging_mvcc_keys_total 12\n",
        "etcd_debugging_mvcc_current_revision 30\n", "etcd_debugging_mvcc_compact_revision 7\n",
        "etcd_server_id{server_id=\"abc\"} 1\n", "etcd_server_version{server_version=\"3.5.0\"} 1\n",
        "etcd_cluster_version{cluster_version=\"3.5\"} 1\n");
    String[] lines = text.split("\n");
    for (int i = 0; i < lines.length; i += 3) {
      String name = lines[i].split(" ")[2];
      assertThat(lines[i]).as("line %d", i).startsWith("# HELP " + name + " ");
      assertThat(lines[i + 1]).as("line %d", i + 1).matches("# TYPE " + name + " (gauge|counter)");
      assertThat(lines[i + 2]).as("line %d", i + 2).matches(name + "(\\{[a-z_]+=\"[^\"]*\"\\})? [0-9.E]+");
    }
  }

  @Test
  void aFigureThisMachineCannotGiveIsLeftOut() {
    String text = EtcdMetrics.render(MEMBER, new ProcessFigures(-1, -1, -1, -1, -1, -1));
    assertThat(text).doesNotContain("process_").contains("etcd_server_has_leader 1\n");
  }

  @Test
  void wholeNumbersArePrintedWithoutFractionOrExponent() {
    assertThat(EtcdMetrics.number(0)).isEqualTo("0");
    assertThat(EtcdMetrics.number(536_870_912_000d)).isEqualTo("536870912000");
    assertThat(EtcdMetrics.number(0.5)).isEqualTo("0.5");
    assertThat(Double.parseDouble(EtcdMetrics.number(1.5e15))).isEqualTo(1.5e15);
  }

  @Test
  void labelValuesAreEscapedAndTheClusterVersionIsMajorMinor() {
    assertThat(EtcdMetrics.escapeLabel("a\"b\\c\nd")).isEqualTo("a\\\"b\\\\c\\nd");
    assertThat(EtcdMetrics.majorMinor("3.5.0")).isEqualTo("3.5");
    assertThat(EtcdMetrics.majorMinor("3")).isEqualTo("3");
  }

  @Test
  void procFilesAreReadAsTheKernelWritesThem() {
    List<String> status = List.of("Name:\tjava", "VmSize:\t 5021452 kB", "VmRSS:\t  114252 kB", "Threads:\t40");
    assertThat(ProcessFigures.statusKilobytes(status, "VmRSS:")).isEqualTo(114_252);
    assertThat(ProcessFigures.statusKilobytes(status, "VmSize:")).isEqualTo(5_021_452);
    assertThat(ProcessFigures.statusKilobytes(status, "VmSwap:")).isEqualTo(-1);
    List<String> limits = List.of("Limit                     Soft Limit           Hard Limit           Units",
        "Max open files            20000                40000                files",
        "Max locked memory         unlimited            unlimited            bytes");
    assertThat(ProcessFigures.maxOpenFiles(limits)).isEqualTo(20_000);
    assertThat(ProcessFigures.maxOpenFiles(List.of("Max open files            unlimited   unlimited  files")))
        .isEqualTo(-1);
  }

  @Test
  void thisProcessFiguresAreWhatTheKernelSays() {
    ProcessFigures now = ProcessFigures.read();
    assertThat(now.residentBytes()).isGreaterThan(10L << 20);
    assertThat(now.virtualBytes()).isGreaterThan(now.residentBytes());
    assertThat(now.openFds()).isPositive();
    assertThat(now.maxFds()).isGreaterThanOrEqualTo(now.openFds());
    assertThat(now.cpuSeconds()).isPositive();
    double jvmStart = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime() / 1000.0;
    assertThat(now.startTimeSeconds()).isBetween(jvmStart - 5, jvmStart + 1);
  }
}
