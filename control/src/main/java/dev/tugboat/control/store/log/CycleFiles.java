package dev.tugboat.control.store.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.stream.Stream;
import net.openhft.chronicle.queue.RollCycle;

/**
 * The names of a Chronicle queue's cycle files: Chronicle names each file by the start of its cycle, formatted with
 * the roll cycle's pattern in UTC (epoch 0), followed by {@code .cq4}.
 */
final class CycleFiles {
  private static final String SUFFIX = ".cq4";

  private final Path directory;
  private final RollCycle rollCycle;
  private final DateTimeFormatter format;

  CycleFiles(Path directory, RollCycle rollCycle) {
    this.directory = directory;
    this.rollCycle = rollCycle;
    this.format = DateTimeFormatter.ofPattern(rollCycle.format()).withZone(ZoneOffset.UTC);
  }

  Path file(int cycle) {
    return directory.resolve(format.format(Instant.ofEpochMilli((long) cycle * rollCycle.lengthInMillis())) + SUFFIX);
  }

  /** The cycle files present, with the cycle each holds; files not named like one are not ours and are left out. */
  List<Cycle> list() {
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(f -> f.getFileName().toString().endsWith(SUFFIX))
          .map(this::parse)
          .filter(c -> c != null)
          .sorted((x, y) -> Integer.compare(x.cycle(), y.cycle()))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("raft log " + directory + ": list cycle files", e);
    }
  }

  private Cycle parse(Path file) {
    String name = file.getFileName().toString();
    try {
      LocalDateTime start = LocalDateTime.parse(name.substring(0, name.length() - SUFFIX.length()), format);
      long millis = start.toInstant(ZoneOffset.UTC).toEpochMilli();
      return new Cycle((int) (millis / rollCycle.lengthInMillis()), file);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  record Cycle(int cycle, Path file) {}
}
