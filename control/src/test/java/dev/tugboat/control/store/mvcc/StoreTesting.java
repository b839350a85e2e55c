package dev.tugboat.control.store.mvcc;

import dev.tugboat.control.store.KeyValue;
import dev.tugboat.control.store.StoreException;
import dev.tugboat.control.store.WatchEvent;
import dev.tugboat.control.store.WatchListener;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Small conveniences for store tests: string keys, waiting on futures, and a recording watch listener. */
final class StoreTesting {

  private StoreTesting() {}

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String s(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  static List<String> keys(List<KeyValue> kvs) {
    return kvs.stream().map(kv -> s(kv.key())).collect(Collectors.toList());
  }

  static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new AssertionError(e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** The StoreException a future failed with. */
  static StoreException failure(CompletableFuture<?> future) {
    try {
      future.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StoreException se) {
        return se;
      }
      throw new AssertionError("failed with " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("the future succeeded");
  }

  /** Records every callback as a line, e.g. {@code "5 PUT a=1 prev=0"}, {@code "progress 7"}, {@code "compacted 3"}. */
  static class RecordingListener implements WatchListener {
    final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    final List<Long> batchRevisions = new ArrayList<>();

    @Override
    public void onEvents(long revision, List<WatchEvent> events) {
      batchRevisions.add(revision);
      for (WatchEvent e : events) {
        String prev = e.prevKv() == null ? "" : " prev=" + s(e.prevKv().value());
        String value = e.type() == WatchEvent.Type.PUT ? "=" + s(e.kv().value()) : "";
        lines.add(revision + " " + e.type() + " " + s(e.kv().key()) + value + prev);
      }
    }

    @Override
    public void onProgress(long revision) {
      lines.add("progress " + revision);
    }

    @Override
    public void onCompacted(long compactRevision) {
      lines.add("compacted " + compactRevision);
    }

    @Override
    public void onClosed(Throwable cause) {
      lines.add("closed " + cause.getMessage());
    }

    /** The next {@code n} lines, waiting for each. */
    List<String> next(int n) {
      List<String> got = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        try {
          String line = lines.poll(30, TimeUnit.SECONDS);
          if (line == null) {
            throw new AssertionError("watch delivered only " + got);
          }
          got.add(line);
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
      }
      return got;
    }
  }
}
