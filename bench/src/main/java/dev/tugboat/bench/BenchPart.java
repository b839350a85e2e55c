package dev.tugboat.bench;

import dev.tugboat.bench.report.BenchReport;
import java.nio.file.Path;

/** One part of `make bench`: measures Tugboat and its references in one run and adds the cases to the report. */
public interface BenchPart {

  String name();

  void run(BenchReport report, Path scratch) throws Exception;
}
