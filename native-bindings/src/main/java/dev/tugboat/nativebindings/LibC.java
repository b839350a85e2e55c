package dev.tugboat.nativebindings;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * The raw glibc functions Tugboat calls, exactly as C declares them. Callers use {@link Linux}, which checks every
 * result and names the call, its arguments and the errno in the exception.
 */
public interface LibC {
  int unshare(int flags);
  int setns(int fd, int nstype);
  int mount(String source, String target, String fstype, long flags, String data);
  int umount2(String target, int flags);
  long syscall(long number, String arg1, String arg2);
  int chroot(String path);
  int chdir(String path);
  int fchdir(int fd);
  int sethostname(@In byte[] name, long length);
  int mkdir(String path, int mode);
  int mknod(String path, int mode, long dev);
  int mkfifo(String path, int mode);
  int chmod(String path, int mode);
  int symlink(String target, String linkPath);
  int renameat2(int oldDirFd, String oldPath, int newDirFd, String newPath, int flags);

  int open(String path, int flags, int mode);
  int close(int fd);
  int dup(int fd);
  int dup3(int oldFd, int newFd, int flags);
  int pipe2(@Out int[] fds, int flags);
  int close_range(int first, int last, int flags);
  int fcntl(int fd, int cmd, int arg);
  long read(int fd, @Out byte[] buffer, long count);
  long write(int fd, @In byte[] buffer, long count);
  int poll(Pointer fds, long count, int timeoutMillis);
  int eventfd(int initial, int flags);
  int inotify_init1(int flags);
  int inotify_add_watch(int fd, String path, int mask);

  int posix_spawn(Pointer pid, String path, Pointer fileActions, Pointer attributes, Pointer argv, Pointer envp);
  int posix_spawn_file_actions_init(Pointer fileActions);
  int posix_spawn_file_actions_destroy(Pointer fileActions);
  int posix_spawn_file_actions_adddup2(Pointer fileActions, int fd, int newFd);
  int posix_spawn_file_actions_addclose(Pointer fileActions, int fd);
  int posix_spawnattr_init(Pointer attributes);
  int posix_spawnattr_destroy(Pointer attributes);
  int posix_spawnattr_setflags(Pointer attributes, short flags);
  int posix_spawnattr_setsigmask(Pointer attributes, Pointer sigset);
  int posix_spawnattr_setsigdefault(Pointer attributes, Pointer sigset);
  int sigemptyset(Pointer sigset);
  int sigfillset(Pointer sigset);

  int pidfd_open(int pid, int flags);
  int pidfd_send_signal(int pidfd, int signal, Pointer info, int flags);
  int waitid(int idType, int id, Pointer info, int options);
  int kill(int pid, int signal);
  int prctl(int option, long arg2, long arg3, long arg4, long arg5);
  int getpid();
  int gettid();
  int setpriority(int which, int who, int prio);

  int socket(int domain, int type, int protocol);
  int socketpair(int domain, int type, int protocol, @Out int[] fds);
  int connect(int fd, @In byte[] address, int length);
  int bind(int fd, @In byte[] address, int length);
  int listen(int fd, int backlog);
  int accept4(int fd, Pointer address, Pointer length, int flags);
  long sendmsg(int fd, Pointer message, int flags);
  long recvmsg(int fd, Pointer message, int flags);
  int isatty(int fd);
  int tcgetattr(int fd, @Out byte[] termios);
  int tcsetattr(int fd, int when, @In byte[] termios);
  void cfmakeraw(byte[] termios);
  /** ioctl's third argument as a buffer the kernel reads and writes (struct winsize, an int). */
  int ioctl(int fd, long request, byte[] argument);

  int epoll_create1(int flags);
  int epoll_ctl(int epfd, int op, int fd, Pointer event);
  int epoll_wait(int epfd, Pointer events, int maxEvents, int timeoutMillis);
}
