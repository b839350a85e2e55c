package dev.tugboat.control.store.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ThreadNicenessTest {
  /** The nice value of the calling thread, as the kernel reports it (field 19 of /proc/thread-self/stat). */
  private static int kernelNice() throws IOException {
    String stat = Files.readString(Path.of("/proc/thread-self/stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Integer.parseInt(fields[16]);
  }

  @Test
  void onlyTheCallingThreadIsLowered() throws Exception {
    int before = kernelNice();
    AtomicReference<Integer> lowered = new AtomicReference<>();
    AtomicReference<Throwable> failed = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        ThreadNiceness.lowerCurrentThread(before + 7);
        lowered.set(kernelNice());
      } catch (Throwable e) {
        failed.set(e);
      }
    });
    t.start();
    t.join();
    assertThat(failed.get()).isNull();
    assertThat(lowered.get()).isEqualTo(before + 7);
    assertThat(kernelNice()).isEqualTo(before);
  }
}
