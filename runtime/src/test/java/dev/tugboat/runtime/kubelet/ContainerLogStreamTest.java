package dev.tugboat.runtime.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerLogStreamTest {

  @TempDir
  Path dir;

  private String tail(String content, long lines) throws Exception {
    Path file = Files.writeString(dir.resolve("0.log"), content);
    return content.substring((int) ContainerLogStream.tailStart(file, lines));
  }

  @Test
  void tailLinesStartsThatManyLinesBeforeTheEnd() throws Exception {
    assertThat(tail("a\nb\nc\n", 1)).isEqualTo("c\n");
    assertThat(tail("a\nb\nc\n", 2)).isEqualTo("b\nc\n");
    assertThat(tail("a\nb\nc\n", 10)).isEqualTo("a\nb\nc\n");
    assertThat(tail("a\nb\nc\n", 0)).isEmpty();
  }

  @Test
  void aLastLineWithoutNewlineCountsAsALine() throws Exception {
    assertThat(tail("a\nb\npartial", 1)).isEqualTo("partial");
    assertThat(tail("a\nb\npartial", 2)).isEqualTo("b\npartial");
    assertThat(tail("", 3)).isEmpty();
  }

  @Test
  void linesLongerThanTheReadBufferAreFound() throws Exception {
    String longLine = "x".repeat(20000) + "\n";
    assertThat(tail("first\n" + longLine + longLine, 2)).isEqualTo(longLine + longLine);
  }
}
