package dev.tugboat.control.store.embedded;

import dev.tugboat.control.store.StoreException;
import dev.tugboat.control.store.mvcc.Proposer;
import dev.tugboat.control.store.mvcc.StoreStateMachine;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single member that keeps what it acknowledges: one writer thread takes every waiting command, appends them to the
 * {@link CommandLog}, fsyncs once (group commit), then applies them in order and completes their futures. When the
 * log grows past a threshold it writes a state snapshot (atomically replacing the last one) and empties the log.
 */
final class DurableProposer implements Proposer {

  private static final Logger LOG = LoggerFactory.getLogger(DurableProposer.class);
  private static final int MAX_BATCH = 1024;

  private record Pending(byte[] command, CompletableFuture<Object> result) {}

  private final StoreStateMachine stateMachine;
  private final CommandLog log;
  private final Path snapshotFile;
  private final long snapshotAfterLogBytes;
  private final BlockingQueue<Pending> waiting = new LinkedBlockingQueue<>();
  private final Thread writer;
  private long lastIndex;
  private volatile boolean closed;

  DurableProposer(StoreStateMachine stateMachine, CommandLog log, Path snapshotFile, long snapshotAfterLogBytes) {
    this.stateMachine = stateMachine;
    this.log = log;
    this.snapshotFile = snapshotFile;
    this.snapshotAfterLogBytes = snapshotAfterLogBytes;
    this.lastIndex = stateMachine.appliedIndex();
    this.writer = new Thread(this::writeLoop, "tug-store-log");
    writer.setDaemon(true);
    writer.start();
  }

  @Override
  public CompletableFuture<Object> propose(byte[] command) {
    CompletableFuture<Object> result = new CompletableFuture<>();
    waiting.add(new Pending(command, result));
    if (closed) {
      failWaiting(stopped("store is closed"));
    }
    return result;
  }

  private void writeLoop() {
    List<Pending> batch = new ArrayList<>();
    while (!closed) {
      try {
        Pending first = waiting.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.clear();
        batch.add(first);
        waiting.drainTo(batch, MAX_BATCH - 1);
        commit(batch);
      } catch (InterruptedException e) {
        break;
      } catch (IOException | RuntimeException e) {
        // The log's state on disk is unknown now: acknowledge nothing more.
        LOG.error("store log {}: writing failed, the store stops", log.file(), e);
        StoreException failure = stopped("writing " + log.file() + " failed: " + e.getMessage());
        batch.forEach(p -> p.result().completeExceptionally(failure));
        closed = true;
      }
    }
    failWaiting(stopped("store is closed"));
  }

  private void commit(List<Pending> batch) throws IOException {
    List<CommandLog.Record> records = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      records.add(new CommandLog.Record(++lastIndex, p.command()));
    }
    log.append(records);
    log.sync();
    for (int i = 0; i < batch.size(); i++) {
      Object result = stateMachine.apply(records.get(i).index(), records.get(i).command());
      if (result instanceof StoreException e) {
        batch.get(i).result().completeExceptionally(e);
      } else {
        batch.get(i).result().complete(result);
      }
    }
    if (log.size() > snapshotAfterLogBytes) {
      snapshot();
    }
  }

  /** Writes the state to the snapshot file atomically, then empties the log it replaces. */
  void snapshot() throws IOException {
    Path partial = snapshotFile.resolveSibling(snapshotFile.getFileName() + ".part");
    try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      OutputStream out = java.nio.channels.Channels.newOutputStream(channel);
      stateMachine.writeSnapshot(out);
      out.flush();
      channel.force(true);
    }
    Files.move(partial, snapshotFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel dir = FileChannel.open(snapshotFile.getParent(), StandardOpenOption.READ)) {
      dir.force(true);
    }
    log.clear();
  }

  private void failWaiting(StoreException failure) {
    Pending p;
    while ((p = waiting.poll()) != null) {
      p.result().completeExceptionally(failure);
    }
  }

  private static StoreException stopped(String why) {
    return new StoreException(StoreException.Code.STOPPED, why);
  }

  @Override
  public CompletableFuture<Void> readBarrier() {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public boolean isLeader() {
    return true;
  }

  @Override
  public long term() {
    return 1;
  }

  @Override
  public void close() {
    closed = true;
    try {
      writer.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    failWaiting(stopped("store is closed"));
    try {
      log.close();
    } catch (IOException e) {
      LOG.warn("closing {} failed", log.file(), e);
    }
  }
}
