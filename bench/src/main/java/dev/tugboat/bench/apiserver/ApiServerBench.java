package dev.tugboat.bench.apiserver;

import dev.tugboat.bench.BenchPart;
import dev.tugboat.bench.proc.JitWarmUp;
import dev.tugboat.bench.proc.ProcessCpu;
import dev.tugboat.bench.proc.ProcessMemory;
import dev.tugboat.bench.proc.ThreadCpu;
import dev.tugboat.bench.report.BenchCase;
import dev.tugboat.bench.report.BenchReport;
import dev.tugboat.bench.report.Figures;
import dev.tugboat.bench.report.Samples;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The API server under its clients, as users drive it: pod creates with 1 and 64 clients (HTTP/2 POSTs as client-go
 * sends them, {@link Http2PostConnection}), a list of 10,000 pods (the fabric8 client), 100 watchers receiving 10,000
 * events (HTTP/2 watch streams, as client-go's), and the server's memory holding 10,000 pods. Kubernetes publishes
 * SLOs, not a reference implementation that runs here, so the targets are the absolute figures.
 */
public final class ApiServerBench implements BenchPart {
  private static final String SENT_AT = AddedPodEvent.SENT_AT;
  /**
   * Dry-run creates (64 clients) before anything is timed, in rounds of this many until the bench JVM's JIT is quiet.
   * Without them its C2 compiler took about half a core through the measured creates (1,300 compilations of the
   * HTTP/2 and TLS client), as much CPU as the server; after one round of 5,000 it still took a fifth of a core.
   */
  private static final int WARM_UP_CREATES = 2000;
  /**
   * The bound on those rounds. The bench JVM's C2 compiles Netty's HTTP/2 read path inlined into a few huge methods
   * (0.3-0.9 s of compiler CPU each, LogCompilation 2026-11-29): after 15 rounds it still compiled for 100 of every 150
   * ms, beside the server on the 2 cores, and the measured creates' p99 followed it (26.4 and 26.5 ms in two runs
   * with bench CPU 0.11-0.16 ms per create). Quiet after 33-39 rounds: p99 15.5 and 16.3, bench CPU 0.025-0.03.
   */
  private static final int MAX_WARM_UP_ROUNDS = 40;
  private static final int WATCH_WARM_UP_EVENTS = 2000;
  /** The watch case's writers: closed-loop clients creating the pods the watchers see. */
  private static final int WATCH_WRITERS = 16;
  /** Watch warm-up rounds stop here even if the JIT still compiles: each leaves 2,000 pods in the store. */
  private static final int MAX_WATCH_WARM_UP_ROUNDS = 3;
  /** The cases {@code --cases} can name: each alone saves minutes when only it is under study. */
  public static final Set<String> CASES = Set.of("create", "list", "watch", "memory");
  /** Lists of all the pods before the measured ones, and the measured ones. */
  private static final int LIST_WARMUP = 5;
  private static final int LIST_TIMES = 50;
  private final Path home;
  private final int pods;
  private final Set<String> cases;

  /** {@code cases} names the cases to run: create (1 and 64 clients), list, watch, memory. */
  public ApiServerBench(Path home, int pods, Set<String> cases) {
    this.home = home;
    this.pods = pods;
    this.cases = cases;
  }

  @Override
  public String name() {
    return "apiserver";
  }

  @Override
  public void run(BenchReport report, Path scratch) throws Exception {
    BenchCase create1 = cases.contains("create") ? report.addCase("create pod, 1 client, 1000 sequential") : null;
    BenchCase create64 = cases.contains("create")
        ? report.addCase("create pod, 64 concurrent clients, " + pods + " in all") : null;
    BenchCase list = cases.contains("list")
        ? report.addCase("list " + pods + " pods, " + LIST_TIMES + " times after " + LIST_WARMUP + " to warm up") : null;
    BenchCase watch = cases.contains("watch")
        ? report.addCase("100 watchers receiving " + pods + " pod events: delivery latency") : null;
    BenchCase watchAfterAck = cases.contains("watch") ? report.addCase("100 watchers receiving " + pods
        + " pod events: delivery latency after the create was acknowledged") : null;
    BenchCase memory = cases.contains("memory") ? report.addCase("server memory with " + pods + " pods") : null;
    try (ApiServerProcess server = ApiServerProcess.start(home, scratch.resolve("server"), Duration.ofSeconds(60));
         KubernetesClient client = server.client();
         Http2PostConnection creator = Http2PostConnection.connect(server.config())) {
      // the dry-run creates warm the server's create path, which every case but the list drives
      warmUp(client, creator);
      if (create1 != null) {
        create1.subject("tugboat", createPods(client, creator, "bench-seq", 1, 1000).figures());
        CpuUse createCpu = CpuUse.start(server.pid());
        Samples creates = createPods(client, creator, "bench-par", 64, pods);
        create64.subject("tugboat", createCpu.perItem(creates.figures(), "create", pods));
      } else if (list != null || memory != null) {
        // the list and the memory figure are of the pods the 64 clients create
        createPods(client, creator, "bench-par", 64, pods);
      }
      if (list != null) {
        Samples lists = new Samples();
        // The first lists run the server's and the client's list paths before they are compiled: warmed as every
        // other case is, so that the tail is the served list's and not the compiler's (20 cold lists had 323-409 ms
        // as their slowest, the 50 after 5 to warm up 187-242 ms).
        for (int i = -LIST_WARMUP; i < LIST_TIMES; i++) {
          // The raw body, as the server sends it: decoding 10,000 typed pods is the client's cost, not the server's.
          long start = System.nanoTime();
          String body = client.raw("/api/v1/namespaces/bench-par/pods");
          if (i >= 0) {
            lists.add(System.nanoTime() - start);
          }
          int n = body.split("\"kind\":\"Pod\"", -1).length - 1 + body.split("\"uid\"", -1).length - 1;
          if (body.length() < pods * 100 || n < pods) {
            throw new IllegalStateException("list returned " + body.length() + " bytes with " + n
                + " uid/kind fields for " + pods + " pods");
          }
        }
        list.subject("tugboat", lists.figures());
      }
      if (memory != null) {
        memory.subject("tugboat",
            new Figures().put("server_rss_mb", Math.round(ProcessMemory.rssMegabytes(server.pid()))));
      }
      if (watch != null) {
        // unmeasured rounds first, for the same reason as the dry-run creates: the bench JVM compiles its HTTP/2
        // and TLS receive path (C2 took a quarter of a core through the measured events without them; after one
        // round of 2,000 events it still compiled for 2.2 s of the measured 14, WatchLines.accept among them)
        System.out.println("watch: the watchers' and creator's transport is " + ClientTransport.name());
        warmUpWatch(server, client, creator);
        System.out.println("watch: the measured round starts");
        CpuUse watchCpu = CpuUse.start(server.pid());
        long benchPid = ProcessHandle.current().pid();
        Map<String, ThreadCpu.Thread> benchThreads = ThreadCpu.threads(benchPid);
        Map<String, ThreadCpu.Thread> serverThreads = ThreadCpu.threads(server.pid());
        // read as the last event arrives, before the watchers' threads end and the latencies are computed
        CpuUse[] watchCpuUsed = new CpuUse[1];
        WatchLatencies latencies = watchLatency(server, client, creator, "bench-watch", 100, pods, () -> {
          watchCpuUsed[0] = watchCpu.stop();
          // where each JVM's CPU went, by kind of thread: what to cut next, on either side
          System.out.println("watch: bench CPU ms by thread: "
              + ThreadCpu.usedByKind(benchThreads, ThreadCpu.threads(benchPid)));
          System.out.println("watch: server CPU ms by thread: "
              + ThreadCpu.usedByKind(serverThreads, ThreadCpu.threads(server.pid())));
        });
        watch.subject("tugboat", watchCpuUsed[0].perItem(latencies.sinceSent().figures(), "pod", pods));
        watchAfterAck.subject("tugboat", latencies.sinceAcknowledged().figures());
      }
    } catch (Exception e) {
      for (BenchCase c : Arrays.asList(create1, create64, list, watch, watchAfterAck, memory)) {
        if (c != null && c.subjects().isEmpty()) {
          c.subject("tugboat", Figures.error(e.toString()));
        }
      }
    }
    if (create64 != null) {
      create64.target("tugboat.p99_ms <= 25");
    }
    if (list != null) {
      list.target("tugboat.p50_ms < 200");
    }
    if (watch != null) {
      watch.target("tugboat.p99_ms < 50");
    }
  }

  /**
   * The CPU the server and the bench JVM used through one case, per item of its work: latencies here move with the
   * neighbours' load on the 2 shared cores, CPU per item only with the code on either side.
   */
  private record CpuUse(long serverPid, double serverStartMs, double benchStartMs, double serverEndMs,
                        double benchEndMs) {
    static CpuUse start(long serverPid) throws IOException {
      return new CpuUse(serverPid, ProcessCpu.milliseconds(serverPid),
          ProcessCpu.milliseconds(ProcessHandle.current().pid()), Double.NaN, Double.NaN);
    }

    /** The CPU used until now, for {@link #perItem} to count whatever runs after (the bench's own tallying) out. */
    CpuUse stop() {
      try {
        return new CpuUse(serverPid, serverStartMs, benchStartMs, ProcessCpu.milliseconds(serverPid),
            ProcessCpu.milliseconds(ProcessHandle.current().pid()));
      } catch (IOException e) {
        throw new UncheckedIOException("read the CPU time of the server and the bench", e);
      }
    }

    Figures perItem(Figures figures, String item, int count) throws IOException {
      CpuUse used = Double.isNaN(benchEndMs) ? stop() : this;
      double server = used.serverEndMs - serverStartMs;
      double bench = used.benchEndMs - benchStartMs;
      return figures.put("server_cpu_ms_per_" + item, Math.round(server / count * 1000) / 1000.0)
          .put("bench_cpu_ms_per_" + item, Math.round(bench / count * 1000) / 1000.0);
    }
  }

  static Pod pod(String namespace, String name, long sentNanos) {
    return new PodBuilder().withNewMetadata().withNamespace(namespace).withName(name)
        .addToLabels("app", "bench").addToAnnotations(SENT_AT, Long.toString(sentNanos)).endMetadata()
        .withNewSpec().addNewContainer().withName("c").withImage("busybox:latest").withCommand("sleep", "3600")
        .endContainer().endSpec().build();
  }

  /**
   * {@link #pod}'s JSON, as fabric8 sends it, written without the typed model: what a client serialises and decodes
   * is the bench process's CPU, which on 2 shared cores the server's requests wait for (fabric8's typed create took
   * about 1 ms of the bench's CPU per pod against the server's 0.35 ms, and the bench JVM's C2 compiler as much again).
   */
  static String podJson(String namespace, String name, long sentNanos) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"annotations\":{\"" + SENT_AT + "\":\""
        + sentNanos + "\"},\"labels\":{\"app\":\"bench\"},\"name\":\"" + name + "\",\"namespace\":\"" + namespace
        + "\"},\"spec\":{\"containers\":[{\"command\":[\"sleep\",\"3600\"],\"image\":\"busybox:latest\","
        + "\"name\":\"c\"}]}}";
  }

  private static String createPath(String namespace, boolean dryRun) {
    return "/api/v1/namespaces/" + namespace + "/pods" + (dryRun ? "?dryRun=All" : "");
  }

  private static void checkCreated(String namespace, String name, int status, byte[] body) {
    if (status != 201) {
      throw new IllegalStateException("create pod " + namespace + "/" + name + ": HTTP " + status + ": "
          + new String(body, StandardCharsets.UTF_8));
    }
  }

  /**
   * Dry runs store nothing: both JVMs compile the request path before it is timed, and no pod is left behind. The
   * server (C1 only) is warm after the first round; the rounds go on while the bench JVM's C2 is still busy.
   */
  private static void warmUp(KubernetesClient client, Http2PostConnection creator) throws Exception {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("bench-warm-up").endMetadata()
        .build()).create();
    JitWarmUp.untilQuiet("create", MAX_WARM_UP_ROUNDS,
        round -> createPods(creator, "bench-warm-up", "p", 64, WARM_UP_CREATES, true, null));
  }

  /**
   * Unmeasured watch rounds until the bench JVM's JIT is quiet, as {@link #warmUp} does for creates, judged by its
   * compiler threads' CPU time (as there): the JIT's elapsed time (CompilationMXBean) counts the compiler's waits in
   * the run queue of the 2 loaded cores, and stayed above the quiet share through every round (3.7 of a 5.5 s third
   * round).
   */
  private static void warmUpWatch(ApiServerProcess server, KubernetesClient client, Http2PostConnection creator)
      throws Exception {
    JitWarmUp.untilQuiet("watch", MAX_WATCH_WARM_UP_ROUNDS, round -> watchLatency(server, client, creator,
        "bench-watch-warm-up-" + round, 100, WATCH_WARM_UP_EVENTS, () -> { }));
  }

  private static Samples createPods(KubernetesClient client, Http2PostConnection creator, String namespace, int clients,
                                    int count) throws Exception {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
    return createPods(creator, namespace, "p", clients, count, false, null);
  }

  /**
   * {@code clients} closed-loop clients creating {@code count} pods in all: each sends its next create when its last
   * one is answered, as a client-go caller blocked on Create does. The clients are callbacks on the connection's event
   * loop rather than a thread each: with 64 threads, every create woke a thread to write its request and another on
   * its answer, context switches the bench paid for on the 2 cores the server runs on.
   */
  private static Samples createPods(Http2PostConnection creator, String namespace, String prefix, int clients,
                                    int count, boolean dryRun, long[] acknowledgedNanos) throws Exception {
    Samples samples = new Samples();
    AtomicInteger next = new AtomicInteger();
    CompletableFuture<Void> done = new CompletableFuture<>();
    AtomicInteger running = new AtomicInteger(clients);
    String path = createPath(namespace, dryRun);
    for (int c = 0; c < clients; c++) {
      new ClosedLoopClient(creator, namespace, prefix, path, count, next, samples, acknowledgedNanos, running, done)
          .sendNext();
    }
    done.get(10, TimeUnit.MINUTES);
    return samples;
  }

  /**
   * One client of {@link #createPods}: a create of pod {@code prefix<i>}, then on its answer the next, until the pods
   * run out; the moment each answer arrived goes into {@code acknowledgedNanos[i]} unless that is null.
   */
  private record ClosedLoopClient(Http2PostConnection creator, String namespace, String prefix, String path,
                                  int count, AtomicInteger next, Samples samples, long[] acknowledgedNanos,
                                  AtomicInteger running, CompletableFuture<Void> done) {
    void sendNext() {
      int i = next.getAndIncrement();
      if (i >= count || done.isDone()) {
        if (running.decrementAndGet() == 0) {
          done.complete(null);
        }
        return;
      }
      String name = prefix + i;
      long start = System.nanoTime();
      creator.post(path, podJson(namespace, name, start).getBytes(StandardCharsets.UTF_8), (status, body, error) -> {
        long answered = System.nanoTime();
        long took = answered - start;
        try {
          if (error != null) {
            throw new IllegalStateException("create pod " + namespace + "/" + name + ": " + error, error);
          }
          checkCreated(namespace, name, status, body);
        } catch (RuntimeException e) {
          done.completeExceptionally(e);
          return;
        }
        // answers arrive on the one event loop, so the samples are never touched by two threads at once
        samples.add(took);
        if (acknowledgedNanos != null) {
          acknowledgedNanos[i] = answered;
        }
        sendNext();
      });
    }
  }

  /**
   * How long after its create each watcher saw a pod: counted from the moment the create was sent (which includes
   * the create's own latency under 16 writers), and from the moment the server acknowledged it (the event's delivery
   * alone; zero when a watcher saw it before the writer had the answer). The server commits somewhere in between.
   */
  private record WatchLatencies(Samples sinceSent, Samples sinceAcknowledged) {}

  /**
   * Each pod carries the moment it was sent; every watcher records when its event arrived. Each watcher is a connection
   * of its own (watchers are other processes than the writers, as kubelets and controllers are) with a watch stream on
   * it, as client-go watches over HTTP/2, and an event is timed as its line arrives, reading only the pod's number and
   * send time from its bytes ({@link AddedPodEvent}): with fabric8's typed watcher, decoding a million pods was the
   * largest share of the bench JVM's CPU (80 CPU-seconds over the whole bench against the server's 21-24, on the same
   * 2 cores), and the deliveries waited for it, as the list case leaves decoding 10,000 typed pods out. (fabric8's
   * WebSocket watches on the JDK's client took 1.2 ms of the bench's CPU per pod seen by 100 watchers, more than the
   * server's fan-out.) Each watcher keeps its own arrival times ({@link WatcherDeliveries}); they become latencies
   * once every watcher has seen every pod.
   */
  private static WatchLatencies watchLatency(ApiServerProcess server, KubernetesClient client,
                                            Http2PostConnection creator, String namespace, int watchers, int count,
                                            Runnable atEnd) throws Exception {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
    // written on the creator's event loop as each create is answered, read once every create has been
    long[] acknowledgedNanos = new long[count];
    CountDownLatch allSeen = new CountDownLatch(watchers);
    CompletableFuture<Void> failed = new CompletableFuture<>();
    List<WatcherDeliveries> deliveries = new ArrayList<>();
    List<Http2ApiConnection> watches = new ArrayList<>();
    EventLoopGroup watchLoops = ClientTransport.eventLoops("watchers", 2);
    try {
      List<CompletableFuture<Integer>> opened = new ArrayList<>();
      SslContext tls = Http2ApiConnection.tls(server.config());
      String path = "/api/v1/namespaces/" + namespace + "/pods?watch=true";
      for (int w = 0; w < watchers; w++) {
        int watcher = w;
        WatcherDeliveries delivered = new WatcherDeliveries(count, allSeen);
        deliveries.add(delivered);
        Http2ApiConnection watch = Http2ApiConnection.connect(server.config(), tls, watchLoops);
        watches.add(watch);
        opened.add(watch.watch(path, delivered, cause -> failed.completeExceptionally(
            new IllegalStateException("watcher " + watcher + " of " + namespace + ": " + cause.getMessage(), cause))));
      }
      for (CompletableFuture<Integer> f : opened) {
        int status = f.get(60, TimeUnit.SECONDS);
        if (status != 200) {
          throw new IllegalStateException("watch of pods in " + namespace + ": HTTP " + status);
        }
      }
      // 16 writers in a closed loop, each sending its next create when its last is answered, as 16 client-go callers
      // blocked on Create do; callbacks on the creator's event loop rather than a thread each, as in createPods: with
      // 16 threads, each create woke a writer on its answer and the loop again for its next request, switches the
      // bench paid for on the server's cores
      createPods(creator, namespace, "w", WATCH_WRITERS, count, false, acknowledgedNanos);
      awaitEveryEvent(allSeen, failed, deliveries, count, Duration.ofSeconds(120));
      atEnd.run();
      return latencies(deliveries, acknowledgedNanos, namespace);
    } finally {
      watches.forEach(Http2ApiConnection::close);
      watchLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /**
   * Waits until every watcher has seen every pod; fails at once when a watcher's stream fails (a malformed or repeated
   * event, a reset), or after {@code timeout} naming the watchers that missed events and the first pod each missed.
   */
  static void awaitEveryEvent(CountDownLatch allSeen, CompletableFuture<Void> failed,
                              List<WatcherDeliveries> deliveries, int count, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!allSeen.await(Math.min(100, Math.max(1, timeout.toMillis())), TimeUnit.MILLISECONDS)) {
      if (failed.isCompletedExceptionally()) {
        failed.join();
      }
      if (System.nanoTime() > deadline) {
        long seen = 0;
        List<String> shortWatchers = new ArrayList<>();
        for (int w = 0; w < deliveries.size(); w++) {
          WatcherDeliveries d = deliveries.get(w);
          seen += d.count();
          if (d.count() < count && shortWatchers.size() < 5) {
            shortWatchers.add("watcher " + w + " saw " + d.count() + " (not w" + d.firstMissing() + ")");
          }
        }
        throw new IllegalStateException("watchers saw " + seen + " of " + deliveries.size() * (long) count
            + " events within " + timeout.toMillis() / 1000.0 + " s: " + String.join(", ", shortWatchers));
      }
    }
  }

  /**
   * Every delivery's latency from its pod's send time and from its create's acknowledgement (zero when the watcher
   * saw it first); with TUG_BENCH_WATCH_TIMELINE set, printed by when in the run their pods were sent (after a GC, at
   * the start, at the end).
   */
  private static WatchLatencies latencies(List<WatcherDeliveries> deliveries, long[] acknowledgedNanos,
                                          String namespace) {
    Samples sinceSent = new Samples();
    Samples sinceAcknowledged = new Samples();
    long firstSent = Long.MAX_VALUE;
    for (WatcherDeliveries d : deliveries) {
      for (int pod = 0; pod < acknowledgedNanos.length; pod++) {
        firstSent = Math.min(firstSent, d.sentNanos(pod));
      }
    }
    WatchTimeline timeline = System.getenv("TUG_BENCH_WATCH_TIMELINE") != null ? new WatchTimeline(firstSent) : null;
    for (WatcherDeliveries d : deliveries) {
      for (int pod = 0; pod < acknowledgedNanos.length; pod++) {
        long arrived = d.arrivedNanos(pod);
        long sent = d.sentNanos(pod);
        sinceSent.add(arrived - sent);
        sinceAcknowledged.add(Math.max(0, arrived - acknowledgedNanos[pod]));
        if (timeline != null) {
          timeline.add(sent, arrived - sent);
        }
      }
    }
    if (timeline != null) {
      timeline.print(System.out, namespace);
    }
    return new WatchLatencies(sinceSent, sinceAcknowledged);
  }

}
