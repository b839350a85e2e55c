package dev.tugboat.nativebindings;

import static dev.tugboat.nativebindings.Linux.LIBC;
import static dev.tugboat.nativebindings.Linux.RUNTIME;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * posix_spawn(3) of one program: glibc clones with CLONE_VM|CLONE_VFORK, so a thread of the JVM can start a process
 * cheaply, and the child lands in whatever namespaces the calling thread has entered. All signals are reset to their
 * defaults and unblocked in the child (the JVM's dispositions must not leak into a container).
 *
 * @param path the program to execute (no PATH lookup)
 * @param argv its argv, argv[0] included
 * @param env its environment, "NAME=value"
 * @param fds the child's file descriptors: child fd -> parent fd to duplicate there; every other fd the JVM opened
 *     with O_CLOEXEC stays out
 * @param newSession start a new session (setsid), so the JVM's terminal and process group never reach the child
 */
public record PosixSpawn(String path, List<String> argv, List<String> env, Map<Integer, Integer> fds,
    boolean newSession) {
  private static final int FILE_ACTIONS_SIZE = 80;
  private static final int ATTRIBUTES_SIZE = 336;
  private static final int SIGSET_SIZE = 128;
  private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
  private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
  private static final short POSIX_SPAWN_SETSID = 0x80;

  /** Everything spawn needs in native memory, built before a thread enters a new PID namespace (where allocation
   * that starts a thread would fail). */
  public Prepared prepare() {
    Pointer fileActions = Memory.allocateDirect(RUNTIME, FILE_ACTIONS_SIZE);
    Pointer attributes = Memory.allocateDirect(RUNTIME, ATTRIBUTES_SIZE);
    Pointer all = Memory.allocateDirect(RUNTIME, SIGSET_SIZE);
    Pointer none = Memory.allocateDirect(RUNTIME, SIGSET_SIZE);
    checkResult(LIBC.posix_spawn_file_actions_init(fileActions), "posix_spawn_file_actions_init");
    checkResult(LIBC.posix_spawnattr_init(attributes), "posix_spawnattr_init");
    LIBC.sigfillset(all);
    LIBC.sigemptyset(none);
    checkResult(LIBC.posix_spawnattr_setsigdefault(attributes, all), "posix_spawnattr_setsigdefault");
    checkResult(LIBC.posix_spawnattr_setsigmask(attributes, none), "posix_spawnattr_setsigmask");
    short flags = (short) (POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | (newSession ? POSIX_SPAWN_SETSID : 0));
    checkResult(LIBC.posix_spawnattr_setflags(attributes, flags), "posix_spawnattr_setflags");
    // Move every source above every source and target first, so one mapping cannot clobber another's source.
    int high = 3;
    for (Map.Entry<Integer, Integer> e : fds.entrySet()) high = Math.max(high, Math.max(e.getKey(), e.getValue()) + 1);
    int i = 0;
    for (Map.Entry<Integer, Integer> e : fds.entrySet()) {
      checkResult(LIBC.posix_spawn_file_actions_adddup2(fileActions, e.getValue(), high + i++), "adddup2");
    }
    i = 0;
    for (Map.Entry<Integer, Integer> e : fds.entrySet()) {
      checkResult(LIBC.posix_spawn_file_actions_adddup2(fileActions, high + i++, e.getKey()), "adddup2");
    }
    for (int k = 0; k < i; k++) {
      checkResult(LIBC.posix_spawn_file_actions_addclose(fileActions, high + k), "addclose");
    }
    return new Prepared(this, fileActions, attributes, strings(argv), strings(env), Memory.allocateDirect(RUNTIME, 4),
        all, none);
  }

  /** Prepares and spawns at once; returns the child's pid. */
  public int spawn() {
    return prepare().spawn();
  }

  /** A spawn ready to run: native structures allocated, only the posix_spawn call left. */
  public static final class Prepared {
    private final PosixSpawn request;
    private final Pointer fileActions;
    private final Pointer attributes;
    private final Pointer argv;
    private final Pointer env;
    private final Pointer pid;
    @SuppressWarnings("unused") // referenced so the memory lives as long as the attributes that copied from it
    private final Pointer[] keepAlive;

    private Prepared(PosixSpawn request, Pointer fileActions, Pointer attributes, Pointer argv, Pointer env,
        Pointer pid, Pointer... keepAlive) {
      this.request = request;
      this.fileActions = fileActions;
      this.attributes = attributes;
      this.argv = argv;
      this.env = env;
      this.pid = pid;
      this.keepAlive = keepAlive;
    }

    /** Spawns; returns the child's pid (as this process's PID namespace numbers it). Usable once. */
    public int spawn() {
      try {
        int error = LIBC.posix_spawn(pid, request.path, fileActions, attributes, argv, env);
        if (error != 0) {
          throw new NativeCallException(Linux.call("posix_spawn", request.path, request.argv.toString()), error);
        }
        return pid.getInt(0);
      } finally {
        LIBC.posix_spawn_file_actions_destroy(fileActions);
        LIBC.posix_spawnattr_destroy(attributes);
      }
    }
  }

  private static void checkResult(int error, String call) {
    if (error != 0) throw new NativeCallException(call, error);
  }

  /** A NULL-terminated char*[] in one block: the pointer table, then the strings. */
  private static Pointer strings(List<String> values) {
    byte[][] encoded = new byte[values.size()][];
    long size = 8L * (values.size() + 1);
    for (int i = 0; i < encoded.length; i++) {
      encoded[i] = values.get(i).getBytes(StandardCharsets.UTF_8);
      size += encoded[i].length + 1;
    }
    Pointer block = Memory.allocateDirect(RUNTIME, size, true);
    long offset = 8L * (values.size() + 1);
    for (int i = 0; i < encoded.length; i++) {
      block.putAddress(8L * i, block.address() + offset);
      block.put(offset, encoded[i], 0, encoded[i].length);
      block.putByte(offset + encoded[i].length, (byte) 0);
      offset += encoded[i].length + 1;
    }
    block.putAddress(8L * values.size(), 0);
    return block;
  }
}
