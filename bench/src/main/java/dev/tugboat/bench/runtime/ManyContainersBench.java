package dev.tugboat.bench.runtime;

import dev.tugboat.bench.proc.ProcessMemory;
import dev.tugboat.bench.report.BenchCase;
import dev.tugboat.bench.report.Figures;
import dev.tugboat.runtime.container.ContainerRuntime;
import dev.tugboat.runtime.container.ContainerStatus;
import dev.tugboat.runtime.container.CreateOptions;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * 100 containers of {@code sleep 60} started at once: the time until all run, and what each running container costs
 * the node beyond its workload. Tugboat keeps no process per container, so that cost is the agent JVM's growth; the
 * reference is one conmon, the process podman and CRI-O keep beside every container.
 */
final class ManyContainersBench {
  private static final int STARTERS = 8;

  private ManyContainersBench() {}

  static void run(BenchCase c, ContainerRuntime runtime, ReferenceRuntime references, Path bundle, Path conmonBundle,
      List<Path> crunBundles, Path scratch, int count) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add("bench-many-" + i);
    }
    long pid = ProcessHandle.current().pid();
    MemoryMXBean heap = ManagementFactory.getMemoryMXBean();
    try {
      System.gc();
      double rssBefore = ProcessMemory.rssMegabytes(pid);
      double heapBefore = heap.getHeapMemoryUsage().getUsed() / 1048576.0;
      int threadsBefore = Thread.activeCount();
      long start = System.nanoTime();
      startAll(ids, id -> {
        runtime.create(id, bundle, CreateOptions.defaults());
        runtime.start(id);
      });
      double allRunningMs = (System.nanoTime() - start) / 1e6;
      for (String id : ids) {
        if (runtime.state(id).status() != ContainerStatus.RUNNING) {
          throw new IllegalStateException("container " + id + " is " + runtime.state(id).status());
        }
      }
      System.gc();
      // Resident growth outside the heap (threads, native memory, metaspace) plus the live heap the containers
      // hold; if the heap also grew its resident pages, that growth is counted twice, which only overstates Tugboat.
      double rssGrowth = Math.max(0, ProcessMemory.rssMegabytes(pid) - rssBefore);
      double heapGrowth = Math.max(0, heap.getHeapMemoryUsage().getUsed() / 1048576.0 - heapBefore);
      c.subject("tugboat", new Figures().put("all_running_ms", Math.round(allRunningMs))
          .put("per_container_mb", round3((rssGrowth + heapGrowth) / count))
          .put("agent_rss_growth_mb", round3(rssGrowth)).put("agent_heap_growth_mb", round3(heapGrowth))
          .put("agent_thread_growth", Thread.activeCount() - threadsBefore).put("n", count));
    } catch (Exception e) {
      c.subject("tugboat", Figures.error("tugboat: " + e.getMessage()));
    } finally {
      for (String id : ids) {
        try {
          runtime.delete(id, true);
        } catch (RuntimeException notCreated) {
          // a container that never got created has nothing to delete
        }
      }
    }
    c.subject("crun", crunAllRunning(references, crunBundles));
    try {
      c.subject("conmon", new Figures()
          .put("per_container_mb", ConmonReference.perContainerMegabytes(references, conmonBundle, scratch.resolve("conmon"))));
    } catch (Exception e) {
      c.subject("conmon", Figures.error("conmon: " + e.getMessage()));
    }
  }

  /** crun starting the same number of detached containers, 8 at a time; crun keeps no process per container. */
  private static Figures crunAllRunning(ReferenceRuntime references, List<Path> bundles) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < bundles.size(); i++) {
      ids.add("bench-many-crun-" + i);
    }
    try {
      long start = System.nanoTime();
      startAll(ids, id -> references.runDetached("crun", bundles.get(ids.indexOf(id)), id));
      return new Figures().put("all_running_ms", Math.round((System.nanoTime() - start) / 1e6)).put("n", ids.size());
    } catch (Exception e) {
      return Figures.error("crun: " + e.getMessage());
    } finally {
      for (String id : ids) {
        try {
          references.delete("crun", id);
        } catch (Exception notCreated) {
          // nothing to delete
        }
      }
    }
  }

  interface Starter {
    void start(String id) throws Exception;
  }

  private static void startAll(List<String> ids, Starter starter) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(STARTERS);
    try {
      List<Future<?>> started = new ArrayList<>();
      for (String id : ids) {
        started.add(pool.submit(() -> {
          starter.start(id);
          return null;
        }));
      }
      for (Future<?> f : started) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
