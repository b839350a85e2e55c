package dev.tugboat.control.store.etcd;

/**
 * The Prometheus text exposition (format 0.0.4) of what a member can report truly, under the names etcd 3.5 uses, so
 * that dashboards, alerts and {@code etcdctl check datascale} (which reads {@code process_resident_memory_bytes}) work
 * unchanged. Counters etcd keeps that this store does not count (proposals, leader changes, WAL fsync histograms) are
 * left out rather than reported as zero.
 */
public final class EtcdMetrics {

  /** The Content-Type of the text format, as Prometheus' Go client sends it. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /** The member's own figures at the moment of the scrape. */
  public record MemberFigures(long memberId, boolean hasLeader, boolean isLeader, boolean isLearner, long keys,
                              long dbBytes, long revision, long compactRevision, String version) {}

  private EtcdMetrics() {}

  /** The whole exposition: the member's figures, then the process's; a figure of -1 is not known and left out. */
  public static String render(MemberFigures member, ProcessFigures process) {
    StringBuilder out = new StringBuilder(2048);
    gauge(out, "etcd_cluster_version", "Which version is running. 1 for 'cluster_version' label with current cluster "
        + "version", "cluster_version", majorMinor(member.version()), 1);
    gauge(out, "etcd_debugging_mvcc_compact_revision", "The revision of the last compaction in store.",
        member.compactRevision());
    gauge(out, "etcd_debugging_mvcc_current_revision", "The current revision of store.", member.revision());
    gauge(out, "etcd_debugging_mvcc_keys_total", "Total number of keys.", member.keys());
    gauge(out, "etcd_mvcc_db_total_size_in_bytes",
        "Total size of the underlying database physically allocated in bytes.", member.dbBytes());
    gauge(out, "etcd_mvcc_db_total_size_in_use_in_bytes",
        "Total size of the underlying database logically in use in bytes.", member.dbBytes());
    gauge(out, "etcd_server_has_leader", "Whether or not a leader exists. 1 is existence, 0 is not.",
        member.hasLeader() ? 1 : 0);
    gauge(out, "etcd_server_id", "Server or member ID in hexadecimal format. 1 for 'server_id' label with current ID.",
        "server_id", Long.toHexString(member.memberId()), 1);
    gauge(out, "etcd_server_is_leader", "Whether or not this member is a leader. 1 if is, 0 otherwise.",
        member.isLeader() ? 1 : 0);
    gauge(out, "etcd_server_is_learner", "Whether or not this member is a learner. 1 if is, 0 otherwise.",
        member.isLearner() ? 1 : 0);
    gauge(out, "etcd_server_version", "Which version is running. 1 for 'server_version' label with current version.",
        "server_version", member.version(), 1);
    counter(out, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
        process.cpuSeconds());
    gauge(out, "process_max_fds", "Maximum number of open file descriptors.", process.maxFds());
    gauge(out, "process_open_fds", "Number of open file descriptors.", process.openFds());
    gauge(out, "process_resident_memory_bytes", "Resident memory size in bytes.", process.residentBytes());
    gauge(out, "process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
        process.startTimeSeconds());
    gauge(out, "process_virtual_memory_bytes", "Virtual memory size in bytes.", process.virtualBytes());
    return out.toString();
  }

  /** etcd labels its cluster version with major.minor only ("3.5"). */
  static String majorMinor(String version) {
    String[] parts = version.split("\\.");
    return parts.length >= 2 ? parts[0] + "." + parts[1] : version;
  }

  private static void gauge(StringBuilder out, String name, String help, double value) {
    sample(out, name, help, "gauge", null, null, value);
  }

  private static void gauge(StringBuilder out, String name, String help, String label, String labelValue,
                            double value) {
    sample(out, name, help, "gauge", label, labelValue, value);
  }

  private static void counter(StringBuilder out, String name, String help, double value) {
    sample(out, name, help, "counter", null, null, value);
  }

  private static void sample(StringBuilder out, String name, String help, String type, String label,
                             String labelValue, double value) {
    if (value < 0) {
      return;
    }
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    out.append(name);
    if (label != null) {
      out.append('{').append(label).append("=\"").append(escapeLabel(labelValue)).append("\"}");
    }
    out.append(' ').append(number(value)).append('\n');
  }

  /** Whole numbers without a fraction or exponent (byte counts read as such); others as Java prints a double. */
  static String number(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return Double.toString(value);
  }

  static String escapeLabel(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
