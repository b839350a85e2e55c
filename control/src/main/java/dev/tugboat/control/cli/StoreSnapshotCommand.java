package dev.tugboat.control.cli;

import dev.tugboat.control.store.etcd.Membership.Member;
import dev.tugboat.control.store.mvcc.StoreStateMachine;
import dev.tugboat.control.store.replication.ReplicatedStoreConfig;
import dev.tugboat.control.store.replication.SavedSnapshot;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tug store snapshot}: what {@code etcdctl snapshot status} and {@code restore} do for etcd, for the file
 * {@code etcdctl snapshot save} gets from etcd or a Tugboat store member (etcd's backend, a bbolt database), and for
 * the files Tugboat saved before in its own format.
 */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
    description = "Inspect or restore a file that 'etcdctl snapshot save' got from etcd or a store member.",
    subcommands = {StoreSnapshotCommand.Status.class, StoreSnapshotCommand.Restore.class})
public final class StoreSnapshotCommand {

  /** {@code tug store snapshot status FILE}: what the file holds, read whole and checked. */
  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Check a saved snapshot and print its index, revision, keys, size and members.")
  static final class Status implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The file etcdctl snapshot save wrote.")
    Path file;

    @Override
    public Integer call() {
      SavedSnapshot.Contents contents;
      try {
        contents = SavedSnapshot.read(file, SavedSnapshot.HashCheck.IF_PRESENT);
      } catch (IOException e) {
        spec.commandLine().getErr().println("tug store snapshot status: " + e.getMessage());
        return 1;
      }
      ExecutorService watchExecutor = Executors.newSingleThreadExecutor();
      try {
        StoreStateMachine state = new StoreStateMachine(watchExecutor);
        try (PipedInputStream in = new PipedInputStream(1 << 16);
             PipedOutputStream out = new PipedOutputStream(in)) {
          CompletableFuture<Void> copied = CompletableFuture.runAsync(() -> {
            try (BufferedOutputStream buffered = new BufferedOutputStream(out, 1 << 16)) {
              contents.writeState(buffered);
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          });
          state.restoreSnapshot(in);
          copied.join();
        }
        var o = spec.commandLine().getOut();
        o.printf("format: %s%nindex: %d%nterm: %d%nrevision: %d%ncompact revision: %d%nkeys: %d%nsize: %d%n",
            contents.format(), contents.index(), contents.term(), state.revision(), state.compactRevision(),
            state.keyCount(), Files.size(file));
        if (contents.etcdStatus() != null) { // as etcdctl snapshot status -w table prints them
          o.printf("hash: %x%ntotal keys: %d%n", contents.etcdStatus().hash(), contents.etcdStatus().totalKeys());
        }
        for (Member m : contents.members().members()) {
          o.printf("member: %x, %s, %s, %s, %s%n", m.id(), m.name(), String.join(",", m.peerUrls()),
              String.join(",", m.clientUrls()), m.learner());
        }
        o.flush();
        return 0;
      } catch (IOException | RuntimeException e) {
        spec.commandLine().getErr().println("tug store snapshot status: snapshot file " + file + ": " + e.getMessage());
        return 1;
      } finally {
        watchExecutor.shutdownNow();
      }
    }
  }

  /**
   * {@code tug store snapshot restore FILE}: one member's data dir of a new cluster, with etcdctl's flags. Run it for
   * every member (same file, same --initial-cluster and token), then start each with {@code tug store} and the same
   * flags, --initial-cluster-state new.
   */
  @Command(name = "restore", mixinStandardHelpOptions = true,
      description = "Make a new member's data dir from a saved snapshot (etcdctl snapshot restore's flags).")
  static final class Restore implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The file etcdctl snapshot save wrote.")
    Path file;

    @Option(names = "--name", defaultValue = "default", description = "Human-readable name of this member.")
    String name;

    @Option(names = "--data-dir", paramLabel = "DIR",
        description = "Directory to restore into; must not hold a member (default: NAME.etcd).")
    Path dataDir;

    @Option(names = "--initial-cluster", paramLabel = "NAME=URL,...",
        description = "Every member of the restored cluster (default: NAME=the initial advertise peer URLs).")
    String initialCluster;

    @Option(names = "--initial-cluster-token", defaultValue = "etcd-cluster", paramLabel = "TOKEN",
        description = "Token of the restored cluster (default: ${DEFAULT-VALUE}).")
    String initialClusterToken;

    @Option(names = "--initial-advertise-peer-urls", defaultValue = "http://localhost:2380", paramLabel = "URLS",
        description = "Comma-separated peer URLs of this member (default: ${DEFAULT-VALUE}).")
    String initialAdvertisePeerUrls;

    @Option(names = "--skip-hash-check", description = "Restore even if the file's SHA-256 does not match.")
    boolean skipHashCheck;

    @Override
    public Integer call() {
      StoreCommand flags = new StoreCommand();
      flags.spec = spec;
      flags.name = name;
      flags.dataDir = dataDir;
      flags.initialCluster = initialCluster;
      flags.initialClusterToken = initialClusterToken;
      flags.initialAdvertisePeerUrls = initialAdvertisePeerUrls;
      flags.initialClusterState = "new";
      flags.listenClientUrls = "http://127.0.0.1:2379"; // not used: nothing listens while restoring
      flags.advertiseClientUrls = "http://127.0.0.1:2379";
      flags.listenPeerUrls = "http://127.0.0.1:2380";
      flags.heartbeatIntervalMillis = 100;
      flags.electionTimeoutMillis = 1000;
      flags.snapshotCount = 100_000;
      ReplicatedStoreConfig config = flags.validated().replicated();
      try {
        SavedSnapshot.Contents contents = SavedSnapshot.read(file, skipHashCheck);
        SavedSnapshot.restore(contents, config);
        spec.commandLine().getOut().printf("tug store snapshot restore: restored %s (index %d) into data dir %s as "
                + "member %s (%x) of cluster %x%n", file, contents.index(), config.dataDir(), name, config.memberId(),
            config.clusterId());
        spec.commandLine().getOut().flush();
        return 0;
      } catch (IOException | RuntimeException e) {
        spec.commandLine().getErr().println("tug store snapshot restore: " + e.getMessage());
        return 1;
      }
    }
  }
}
