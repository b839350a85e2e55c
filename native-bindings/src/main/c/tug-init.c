/*
 * tug-init: the first process of a Tugboat container (PID 1 of its PID namespace), or the first process of an
 * `exec` into a running container. The Java spawner thread has already entered the container's namespaces and
 * prepared the root filesystem, /dev, /sys and the spec's mounts in the container's mount namespace; tug-init
 * does what only a process inside the new PID namespace can do, then becomes the container's process.
 *
 * Protocol
 *   tug-init [OPTION]... -- PATH ARG0 [ARG]...     (PATH: the program, looked up in the environment's PATH
 *                                                   when it has no '/'; ARG0...: its argv)
 *   environment: the container process's environment (HOME is added from /etc/passwd if missing, as runc does).
 *   fd 0, 1, 2: the process's stdio, already in place.
 *   fd 3: the error pipe (write end). Every other fd is closed first thing.
 *
 *   Set-up failure: one line "STEP: ERRNAME\n" (e.g. `mount("proc", "/r/proc", "proc"): EPERM`) is written to
 *   fd 3 and tug-init exits 127. Set-up success ("ready"): fd 3 is closed without a byte written, and tug-init
 *   waits for `start`. Failures after start (only possible in init mode, or exec itself) go to fd 2 prefixed
 *   "tug-init: ", with exit status 127.
 *
 *   -M FD           exec: join the mount namespace FD (the caller joined the others; a multi-threaded JVM cannot
 *                   join a mount namespace and keep tug-init's path visible) and start at its root
 *   -S DIR          state directory, opened before pivot_root; -f and -x name files in it
 *   -j FILE         join a cgroup first thing: write "0" to FILE (repeatable; a v1 hierarchy's `tasks`, which moves
 *                   this single-threaded process without the kernel's global threadgroup lock, or v2's cgroup.procs)
 *   -r ROOT         pivot_root into ROOT (a mount point the caller prepared) after the -p mounts
 *   -p DEST         mount a fresh proc at ROOT/DEST before pivot_root (repeatable)
 *   -m PATH         mask PATH after pivot_root: /dev/null over a file, empty read-only tmpfs over a directory
 *   -o PATH         make PATH read-only after pivot_root (repeatable, like -m)
 *   -R              remount the root read-only (after the masks)
 *   -l RES:SOFT:HARD  setrlimit(RES, ...) (numbers; -1 = unlimited)
 *   -u UID -g GID -G G1,G2,...   user, group and additional groups of the process
 *   -c BND:EFF:PERM:INH:AMB      capability sets as hex masks (bit n = capability n)
 *   -n              no_new_privs
 *   -t FD           terminal (process.terminal): FD is a connected unix socket (runc's console socket). After the
 *                   root is set up, open a pty in the container's /dev/ptmx, send its master over FD as runc does
 *                   (one message: the pty's name as payload, the master in SCM_RIGHTS), then setsid and make the
 *                   slave the controlling terminal and fds 0, 1 and 2
 *   -d DIR          working directory (after pivot_root)
 *   -f NAME         start: open the FIFO NAME in -S for writing (blocks until a reader, `start`, opens it),
 *                   write one byte, then exec. This survives the exit of the JVM that created the container.
 *   -s FD           start: read one byte from FD (EOF: the caller gave up; exit 0 without running anything)
 *   -C              after start, unshare a new cgroup namespace: by then the caller has moved this process into the
 *                   container's cgroup, which so becomes the namespace's root (as runc does)
 *   -i              init mode: stay PID 1, fork the process, forward signals to it, reap every child
 *   -x NAME         init mode: when the process ends, write its wait status (decimal) to NAME in -S
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>
#include <linux/capability.h>

#define ERROR_FD 3
#define MAX_LIST 128

static int error_fd = ERROR_FD;

static void fail(const char *fmt, ...) {
  char msg[4096];
  int saved = errno;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(msg, sizeof msg - 64, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if (n > (int) sizeof msg - 64) n = (int) sizeof msg - 64;
  const char *name = saved ? strerrorname_np(saved) : NULL;
  n += snprintf(msg + n, sizeof msg - n, ": %s\n", name ? name : "failed");
  if (error_fd == 2) { (void) !write(2, "tug-init: ", 10); }
  (void) !write(error_fd, msg, n);
  _exit(127);
}

static void usage(const char *why) {
  errno = EINVAL;
  fail("usage: %s", why);
}

struct rlim { int resource; long long soft, hard; };

struct options {
  const char *state_dir, *root, *cwd, *start_fifo, *exit_file;
  const char *proc[MAX_LIST]; int nproc;
  const char *cgroup_join[MAX_LIST]; int ncgroup_join;
  const char *masked[MAX_LIST]; int nmasked;
  const char *readonly[MAX_LIST]; int nreadonly;
  struct rlim rlimits[MAX_LIST]; int nrlimits;
  int readonly_root, no_new_privs, init_mode, start_fd, mount_ns_fd, new_cgroup_ns, console_fd;
  int has_user; uid_t uid; gid_t gid;
  gid_t groups[MAX_LIST]; int ngroups;
  int has_caps; uint64_t caps[5]; /* bounding, effective, permitted, inheritable, ambient */
  char **argv; /* argv[0]: program path or name, argv[1..]: the process's argv */
};

static long long number(const char *s, const char *what) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 0);
  if (errno || end == s || *end) { errno = EINVAL; fail("%s: not a number: \"%s\"", what, s); }
  return v;
}

static void add(const char **list, int *n, const char *v) {
  if (*n >= MAX_LIST) usage("too many list entries");
  list[(*n)++] = v;
}

static void parse(int argc, char **argv, struct options *o) {
  memset(o, 0, sizeof *o);
  o->start_fd = -1;
  o->mount_ns_fd = -1;
  o->console_fd = -1;
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) { i++; break; }
    if (a[0] != '-' || a[1] == 0 || a[2] != 0) usage(a);
    char flag = a[1];
    const char *v = NULL;
    if (strchr("MSjrpmoludgGcfsxt", flag)) {
      if (i + 1 >= argc) usage(a);
      v = argv[++i];
    }
    switch (flag) {
      case 'M': o->mount_ns_fd = (int) number(v, "-M"); break;
      case 'S': o->state_dir = v; break;
      case 'r': o->root = v; break;
      case 'j': add(o->cgroup_join, &o->ncgroup_join, v); break;
      case 'p': add(o->proc, &o->nproc, v); break;
      case 'm': add(o->masked, &o->nmasked, v); break;
      case 'o': add(o->readonly, &o->nreadonly, v); break;
      case 'R': o->readonly_root = 1; break;
      case 'l': {
        if (o->nrlimits >= MAX_LIST) usage("too many rlimits");
        struct rlim *r = &o->rlimits[o->nrlimits++];
        if (sscanf(v, "%d:%lld:%lld", &r->resource, &r->soft, &r->hard) != 3) usage(v);
        break;
      }
      case 'u': o->has_user = 1; o->uid = (uid_t) number(v, "-u"); break;
      case 'g': o->has_user = 1; o->gid = (gid_t) number(v, "-g"); break;
      case 'G': {
        char *copy = strdup(v), *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
          if (o->ngroups >= MAX_LIST) usage("too many groups");
          o->groups[o->ngroups++] = (gid_t) number(t, "-G");
        }
        break;
      }
      case 'c': {
        unsigned long long c[5];
        if (sscanf(v, "%llx:%llx:%llx:%llx:%llx", &c[0], &c[1], &c[2], &c[3], &c[4]) != 5) usage(v);
        for (int k = 0; k < 5; k++) o->caps[k] = c[k];
        o->has_caps = 1;
        break;
      }
      case 'n': o->no_new_privs = 1; break;
      case 'd': o->cwd = v; break;
      case 'f': o->start_fifo = v; break;
      case 's': o->start_fd = (int) number(v, "-s"); break;
      case 't': o->console_fd = (int) number(v, "-t"); break;
      case 'i': o->init_mode = 1; break;
      case 'C': o->new_cgroup_ns = 1; break;
      case 'x': o->exit_file = v; break;
      default: usage(a);
    }
  }
  if (i + 1 >= argc) usage("missing -- PATH ARG0");
  o->argv = &argv[i];
  if ((o->start_fifo || o->exit_file) && !o->state_dir) usage("-f and -x need -S");
}

static void mkdir_p(const char *path) {
  char buf[PATH_MAX];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    if (mkdir(buf, 0755) && errno != EEXIST) fail("mkdir(\"%s\")", buf);
    *p = '/';
  }
  if (mkdir(buf, 0755) && errno != EEXIST) fail("mkdir(\"%s\")", buf);
}

static void join_cgroup(const char *file) {
  int fd = open(file, O_WRONLY | O_CLOEXEC);
  if (fd < 0) fail("open(\"%s\", O_WRONLY)", file);
  if (write(fd, "0", 1) != 1) fail("write(\"%s\", \"0\")", file);
  close(fd);
}

static void enter_root(const struct options *o) {
  char path[PATH_MAX];
  for (int k = 0; k < o->nproc; k++) {
    snprintf(path, sizeof path, "%s/%s", o->root, o->proc[k]);
    /* The mount point is almost always there: mkdir -p only when it is not (each mkdir of an existing ancestor is
       a journalled lookup on ext4, up to a millisecond on a busy machine). */
    int mounted = mount("proc", path, "proc", 0, NULL) == 0;
    if (!mounted && errno == ENOENT) {
      mkdir_p(path);
      mounted = mount("proc", path, "proc", 0, NULL) == 0;
    }
    if (!mounted) fail("mount(\"proc\", \"%s\", \"proc\")", path);
  }
  if (chdir(o->root)) fail("chdir(\"%s\")", o->root);
  /* pivot_root(".", ".") stacks the old root under the new one; detaching it leaves only the container's. */
  if (syscall(SYS_pivot_root, ".", ".")) fail("pivot_root(\"%s\", \"%s\")", o->root, o->root);
  if (umount2(".", MNT_DETACH)) fail("umount2(\"<old root>\", MNT_DETACH)");
  if (chdir("/")) fail("chdir(\"/\")");
}

static void mask(const char *path) {
  struct stat st;
  if (stat(path, &st)) {
    if (errno == ENOENT) return;
    fail("stat(\"%s\")", path);
  }
  if (S_ISDIR(st.st_mode)) {
    if (mount("tmpfs", path, "tmpfs", MS_RDONLY, NULL)) fail("mount(\"tmpfs\", \"%s\", \"tmpfs\", MS_RDONLY)", path);
  } else if (mount("/dev/null", path, NULL, MS_BIND, NULL)) {
    fail("mount(\"/dev/null\", \"%s\", MS_BIND)", path);
  }
}

static void make_readonly(const char *path) {
  if (mount(path, path, NULL, MS_BIND | MS_REC, NULL)) {
    if (errno == ENOENT) return;
    fail("mount(\"%s\", \"%s\", MS_BIND|MS_REC)", path, path);
  }
  /* A bind remount must repeat the flags the mount already has (the kernel refuses to drop locked ones). */
  struct statvfs sv;
  if (statvfs(path, &sv)) fail("statvfs(\"%s\")", path);
  unsigned long keep = sv.f_flag & (ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_SYNCHRONOUS | ST_MANDLOCK | ST_NOATIME
      | ST_NODIRATIME | ST_RELATIME);
  if (mount(path, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | keep, NULL))
    fail("mount(\"%s\", MS_REMOUNT|MS_RDONLY)", path);
}

/* The program as execv will find it: resolved here, so a missing binary is a set-up error reported by create. */
static const char *resolve(const char *name, char *buf, size_t size) {
  if (strchr(name, '/')) {
    if (access(name, X_OK)) fail("exec(\"%s\")", name);
    return name;
  }
  const char *path = getenv("PATH");
  if (!path) path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  int last = ENOENT;
  for (const char *p = path; ; ) {
    const char *end = strchrnul(p, ':');
    snprintf(buf, size, "%.*s/%s", (int) (end - p), p, name);
    struct stat st;
    if (end != p && stat(buf, &st) == 0 && S_ISREG(st.st_mode)) {
      if (access(buf, X_OK) == 0) return buf;
      last = errno;
    }
    if (!*end) break;
    p = end + 1;
  }
  errno = last;
  fail("exec(\"%s\"): not found in PATH \"%s\"", name, path);
  return NULL;
}

/* Like runc: a process without HOME gets its user's home from the container's /etc/passwd, or "/". */
static void set_home(const struct options *o) {
  if (getenv("HOME")) return;
  uid_t uid = o->has_user ? o->uid : getuid();
  const char *home = "/";
  static char line[1024], found[PATH_MAX];
  FILE *f = fopen("/etc/passwd", "re");
  if (f) {
    while (fgets(line, sizeof line, f)) {
      char *fields[7];
      int n = 0;
      char *save = NULL;
      for (char *t = strtok_r(line, ":\n", &save); t && n < 7; t = strtok_r(NULL, ":\n", &save)) fields[n++] = t;
      if (n >= 6 && (uid_t) strtoul(fields[2], NULL, 10) == uid) {
        snprintf(found, sizeof found, "%s", fields[5]);
        home = found;
        break;
      }
    }
    fclose(f);
  }
  if (setenv("HOME", home, 1)) fail("setenv(\"HOME\", \"%s\")", home);
}

static void drop_privileges(const struct options *o) {
  if (o->has_caps) {
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0)) fail("prctl(PR_SET_KEEPCAPS, 1)");
    for (int cap = 0; cap < 64; cap++) {
      if (o->caps[0] & (1ULL << cap)) continue;
      if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL) fail("prctl(PR_CAPBSET_DROP, %d)", cap);
    }
  }
  if (o->has_user) {
    if (setgroups(o->ngroups, o->groups)) fail("setgroups(%d groups)", o->ngroups);
    if (setgid(o->gid)) fail("setgid(%u)", o->gid);
    if (setuid(o->uid)) fail("setuid(%u)", o->uid);
  }
  if (o->has_caps) {
    struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2];
    for (int k = 0; k < 2; k++) {
      data[k].effective = (uint32_t) (o->caps[1] >> (32 * k));
      data[k].permitted = (uint32_t) (o->caps[2] >> (32 * k));
      data[k].inheritable = (uint32_t) (o->caps[3] >> (32 * k));
    }
    if (syscall(SYS_capset, &header, data)) fail("capset(effective=%llx, permitted=%llx, inheritable=%llx)",
        (unsigned long long) o->caps[1], (unsigned long long) o->caps[2], (unsigned long long) o->caps[3]);
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)) fail("prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
    for (int cap = 0; cap < 64; cap++) {
      if (!(o->caps[4] & (1ULL << cap))) continue;
      /* An ambient capability needs to be permitted and inheritable; runc's specs list it in ambient alone. */
      if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) && errno != EPERM)
        fail("prctl(PR_CAP_AMBIENT_RAISE, %d)", cap);
    }
  }
  if (o->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) fail("prctl(PR_SET_NO_NEW_PRIVS, 1)");
}

/* The pty lives in the container's devpts, so the process sees /dev/pts/N as its tty, as it does under runc. */
static void set_up_terminal(int console_fd) {
  int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) fail("open(\"/dev/ptmx\", O_RDWR|O_NOCTTY)");
  if (unlockpt(master)) fail("unlockpt(\"/dev/ptmx\")");
  char name[64];
  if (ptsname_r(master, name, sizeof name)) fail("ptsname_r(\"/dev/ptmx\")");
  int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) fail("open(\"%s\", O_RDWR|O_NOCTTY)", name);
  char control[CMSG_SPACE(sizeof(int))];
  memset(control, 0, sizeof control);
  struct iovec iov = { name, strlen(name) };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control };
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &master, sizeof(int));
  ssize_t sent;
  do sent = sendmsg(console_fd, &msg, MSG_NOSIGNAL); while (sent < 0 && errno == EINTR);
  if (sent < 0) fail("sendmsg(console socket, \"%s\", SCM_RIGHTS)", name);
  close(master);
  close(console_fd);
  /* The spawner usually made this process a session leader already (POSIX_SPAWN_SETSID). */
  if (getsid(0) != getpid() && setsid() < 0) fail("setsid()");
  if (ioctl(slave, TIOCSCTTY, 0)) fail("ioctl(\"%s\", TIOCSCTTY)", name);
  for (int fd = 0; fd < 3; fd++) {
    if (dup2(slave, fd) < 0) fail("dup2(\"%s\", %d)", name, fd);
  }
  close(slave);
}

static void wait_for_start(const struct options *o, int state_dir) {
  if (o->start_fifo) {
    int fd = openat(state_dir, o->start_fifo, O_WRONLY | O_CLOEXEC);
    if (fd < 0) fail("open(\"%s/%s\", O_WRONLY)", o->state_dir, o->start_fifo);
    if (write(fd, "0", 1) != 1) fail("write(\"%s/%s\")", o->state_dir, o->start_fifo);
    close(fd);
  }
  if (o->start_fd >= 0) {
    char b;
    ssize_t n;
    do n = read(o->start_fd, &b, 1); while (n < 0 && errno == EINTR);
    if (n == 0) _exit(0);
    if (n < 0) fail("read(start fd %d)", o->start_fd);
    close(o->start_fd);
  }
}

static void record_exit(const struct options *o, int state_dir, int status) {
  if (!o->exit_file) return;
  char tmp[NAME_MAX + 8], text[32];
  snprintf(tmp, sizeof tmp, "%s.tmp", o->exit_file);
  int fd = openat(state_dir, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("open(\"%s/%s\")", o->state_dir, tmp);
  int n = snprintf(text, sizeof text, "%d\n", status);
  if (write(fd, text, n) != n) fail("write(\"%s/%s\")", o->state_dir, tmp);
  close(fd);
  if (renameat(state_dir, tmp, state_dir, o->exit_file)) fail("rename(\"%s/%s\")", o->state_dir, o->exit_file);
}

static void exec_process(const struct options *o, const char *path) {
  execv(path, &o->argv[1]);
  fail("exec(\"%s\")", path);
}

/* Init mode: PID 1 stays, runs the process as its child, forwards signals to it and reaps every orphan. */
static void run_as_init(const struct options *o, int state_dir, const char *path) {
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  pid_t child = fork();
  if (child < 0) fail("fork()");
  if (child == 0) {
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (state_dir >= 0) close(state_dir);
    drop_privileges(o);
    exec_process(o, path);
  }
  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo(&all, &info);
    if (sig < 0) continue;
    if (sig != SIGCHLD) { kill(child, sig); continue; }
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
      if (pid != child) continue;
      record_exit(o, state_dir, status);
      if (WIFSIGNALED(status)) _exit(128 + WTERMSIG(status));
      _exit(WEXITSTATUS(status));
    }
  }
}

int main(int argc, char **argv) {
  struct options o;
  if (fcntl(ERROR_FD, F_SETFD, FD_CLOEXEC)) { error_fd = 2; fail("fcntl(error fd 3)"); }
  parse(argc, argv, &o);
  /* Whatever the JVM left open without O_CLOEXEC must not reach the container. */
  int keep = ERROR_FD;
  if (o.start_fd > keep) keep = o.start_fd;
  if (o.mount_ns_fd > keep) keep = o.mount_ns_fd;
  if (o.console_fd > keep) keep = o.console_fd;
  for (int fd = ERROR_FD + 1; fd < keep; fd++) {
    if (fd != o.start_fd && fd != o.mount_ns_fd && fd != o.console_fd) close(fd);
  }
  syscall(SYS_close_range, keep + 1, ~0U, 0);
  if (o.start_fd >= 0 && fcntl(o.start_fd, F_SETFD, FD_CLOEXEC)) fail("fcntl(start fd %d)", o.start_fd);
  if (o.console_fd >= 0 && fcntl(o.console_fd, F_SETFD, FD_CLOEXEC)) fail("fcntl(console fd %d)", o.console_fd);
  if (o.mount_ns_fd >= 0) {
    if (setns(o.mount_ns_fd, CLONE_NEWNS)) fail("setns(mount namespace fd %d, CLONE_NEWNS)", o.mount_ns_fd);
    close(o.mount_ns_fd);
    if (chdir("/")) fail("chdir(\"/\")");
  }

  for (int k = 0; k < o.ncgroup_join; k++) join_cgroup(o.cgroup_join[k]);

  int state_dir = -1;
  if (o.state_dir) {
    state_dir = open(o.state_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (state_dir < 0) fail("open(\"%s\", O_PATH)", o.state_dir);
  }
  if (o.root) enter_root(&o);
  for (int k = 0; k < o.nmasked; k++) mask(o.masked[k]);
  for (int k = 0; k < o.nreadonly; k++) make_readonly(o.readonly[k]);
  if (o.readonly_root && mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL))
    fail("mount(\"/\", MS_BIND|MS_REMOUNT|MS_RDONLY)");
  for (int k = 0; k < o.nrlimits; k++) {
    struct rlimit r = { (rlim_t) o.rlimits[k].soft, (rlim_t) o.rlimits[k].hard };
    if (setrlimit(o.rlimits[k].resource, &r))
      fail("setrlimit(%d, %lld, %lld)", o.rlimits[k].resource, o.rlimits[k].soft, o.rlimits[k].hard);
  }
  if (o.console_fd >= 0) set_up_terminal(o.console_fd);
  set_home(&o);
  if (o.cwd && chdir(o.cwd)) fail("chdir(\"%s\")", o.cwd);
  char buf[PATH_MAX];
  const char *path = resolve(o.argv[0], buf, sizeof buf);
  /* Privileges go before ready, so their errors reach create; unless a cgroup namespace still has to be made
     after start (which needs CAP_SYS_ADMIN), or init mode keeps them for the reaper. */
  int drop_late = o.init_mode || o.new_cgroup_ns;
  if (!drop_late) drop_privileges(&o);

  close(ERROR_FD); /* ready */
  error_fd = 2;
  wait_for_start(&o, state_dir);
  if (o.new_cgroup_ns && unshare(CLONE_NEWCGROUP)) fail("unshare(CLONE_NEWCGROUP)");
  if (o.init_mode) run_as_init(&o, state_dir, path);
  if (drop_late) drop_privileges(&o);
  if (state_dir >= 0) close(state_dir);
  exec_process(&o, path);
  return 127;
}
