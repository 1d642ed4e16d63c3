// Step 2 of the sandbox (sandbox.h): the supervisor is cloned into new
// namespaces, and the relay, which stays outside with the host's credentials,
// writes the user namespace's uid/gid maps.
//
// The supervisor and everything it starts run as uid 1000 inside; outside,
// that is `nobody` (65534) when the host is root, or the host's own uid
// otherwise (an unprivileged process may map only itself). Being the
// namespace's creator gives the supervisor every capability *inside* the
// namespace — enough to set up its mounts and network — and none outside.
//
// A directory allowed for writing belongs to its host owner, usually not
// `nobody`; when the host is root the relay therefore hands the supervisor an
// idmapped copy of it, on which the owner's files appear as the sandbox's
// and what the units create is written as the owner's.
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <string>
#include <cstring>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "backends/common/sandbox/sandbox.h"

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

namespace sx::sandbox {
namespace {

constexpr uid_t kNobody = 65534;

bool write_proc(pid_t pid, const char *file, const std::string &text) {
  std::string path = fmt::format("/proc/{}/{}", pid, file);
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  return ok;
}

// A fork with namespace flags (the child continues here, like fork()).
pid_t clone_with(unsigned long flags) {
  return static_cast<pid_t>(syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, nullptr));
}

void reap(pid_t pid) {
  while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

// A user namespace that maps host uid `owner` (gid `group`) to nobody, for an
// idmapped mount: an fd to it, or -1.
int nobody_view_of(uid_t owner, gid_t group) {
  int hold[2];
  if (pipe2(hold, O_CLOEXEC) != 0) return -1;
  pid_t h = clone_with(CLONE_NEWUSER);
  if (h == 0) {
    char c;
    close(hold[1]);
    while (read(hold[0], &c, 1) < 0 && errno == EINTR) {
    }
    _exit(0);
  }
  close(hold[0]);
  int ns = -1;
  if (h > 0 && write_proc(h, "uid_map", fmt::format("{} {} 1\n", owner, kNobody)) &&
      write_proc(h, "gid_map", fmt::format("{} {} 1\n", group, kNobody)))
    ns = open(fmt::format("/proc/{}/ns/user", h).c_str(), O_RDONLY | O_CLOEXEC);
  close(hold[1]);
  if (h > 0) reap(h);
  return ns;
}

// A detached copy of `dir` on which its owner's files are nobody's, or -1.
int idmapped_tree(const std::string &dir, std::vector<std::string> *notes) {
  struct stat st;
  if (stat(dir.c_str(), &st) != 0) return -1;
  int ns = nobody_view_of(st.st_uid, st.st_gid);
  if (ns < 0) return -1;
  int tree = static_cast<int>(open_tree(AT_FDCWD, dir.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE));
  if (tree >= 0) {
    mount_attr attr{};
    attr.attr_set = MOUNT_ATTR_IDMAP;
    attr.userns_fd = static_cast<__u64>(ns);
    if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0 &&
        mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof attr) != 0) {
      notes->push_back(fmt::format("{}: no idmapped mount ({}); writable only where nobody may write", dir,
                                   strerror(errno)));
      close(tree);
      tree = -1;
    }
  }
  close(ns);
  return tree;
}

// relay -> supervisor: the namespace flags that were used, and the fds of
// the idmapped trees (one per allow_write directory; a slot of -1 travels as
// "absent").
struct Handoff {
  unsigned long flags;
  unsigned char present[16];
  std::uint32_t host_uid;
  char notes[2048];  // the relay's notes, one per line
};
constexpr std::size_t kMaxTrees = sizeof(Handoff::present);

bool send_handoff(int sock, unsigned long flags, const std::vector<int> &trees, const Report &report) {
  Handoff h{};
  h.flags = flags;
  h.host_uid = static_cast<std::uint32_t>(std::stoul(report.host_uid));
  std::string notes;
  for (const auto &n : report.notes) notes += n + "\n";
  snprintf(h.notes, sizeof h.notes, "%s", notes.c_str());
  std::vector<int> fds;
  for (std::size_t i = 0; i < trees.size() && i < kMaxTrees; ++i)
    if (trees[i] >= 0) {
      h.present[i] = 1;
      fds.push_back(trees[i]);
    }
  iovec iov{&h, sizeof h};
  msghdr m{};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  std::vector<char> ctl(CMSG_SPACE(sizeof(int) * kMaxTrees));
  if (!fds.empty()) {
    m.msg_control = ctl.data();
    m.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
    cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  }
  ssize_t n;
  while ((n = sendmsg(sock, &m, MSG_NOSIGNAL)) < 0 && errno == EINTR) {
  }
  return n == sizeof h;
}

bool receive_handoff(int sock, std::size_t n_trees, unsigned long *flags, std::vector<int> *trees, Report *report) {
  Handoff h{};
  iovec iov{&h, sizeof h};
  msghdr m{};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  std::vector<char> ctl(CMSG_SPACE(sizeof(int) * kMaxTrees));
  m.msg_control = ctl.data();
  m.msg_controllen = ctl.size();
  ssize_t n;
  while ((n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
  }
  if (n != sizeof h) return false;
  std::vector<int> fds;
  for (cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      std::size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      fds.resize(k);
      memcpy(fds.data(), CMSG_DATA(c), sizeof(int) * k);
    }
  *flags = h.flags;
  report->host_uid = std::to_string(h.host_uid);
  h.notes[sizeof h.notes - 1] = 0;
  for (const char *p = h.notes; *p;) {
    const char *e = strchr(p, '\n');
    if (!e) break;
    report->notes.emplace_back(p, e);
    p = e + 1;
  }
  trees->assign(n_trees, -1);
  std::size_t next = 0;
  for (std::size_t i = 0; i < n_trees && i < kMaxTrees; ++i)
    if (h.present[i] && next < fds.size()) (*trees)[i] = fds[next++];
  return true;
}

}  // namespace

pid_t clone_supervisor(const Config &cfg, Report *report, std::vector<int> *write_trees) {
  unsigned long ns = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS;
  if (cfg.network != Network::Host && !cfg.is_off("net_ns")) ns |= CLONE_NEWNET;
  if (cfg.is_off("pid_ns")) ns &= ~static_cast<unsigned long>(CLONE_NEWPID);
  if (cfg.is_off("mount_ns")) ns &= ~static_cast<unsigned long>(CLONE_NEWNS);
  const bool root = geteuid() == 0;

  // With a user namespace first, then (root only: it has the privilege)
  // without one, then with fewer namespaces.
  std::vector<unsigned long> attempts;
  if (!cfg.is_off("user_ns")) attempts.push_back(ns | CLONE_NEWUSER);
  if (root) attempts.push_back(ns);
  if (!cfg.is_off("user_ns")) attempts.push_back(CLONE_NEWUSER | CLONE_NEWPID);
  if (root && !cfg.is_off("pid_ns")) attempts.push_back(CLONE_NEWPID);

  int sock[2];  // relay <-> child: the maps are written; the flags and trees
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sock) != 0) return -1;
  int last_errno = 0;
  for (unsigned long flags : attempts) {
    pid_t child = clone_with(flags);
    if (child < 0) {
      last_errno = errno;
      if (errno == EPERM || errno == EINVAL || errno == ENOSPC || errno == EUSERS) continue;
      break;
    }
    if (child == 0) {
      close(sock[0]);
      unsigned long got = 0;
      if (!receive_handoff(sock[1], cfg.allow_write.size(), &got, write_trees, report)) _exit(2);  // the relay is gone
      close(sock[1]);
      report->user_ns = got & CLONE_NEWUSER;
      report->pid_ns = got & CLONE_NEWPID;
      report->mount_ns = got & CLONE_NEWNS;
      report->net_ns = got & CLONE_NEWNET;
      if (report->user_ns) {
        // Inside: become the mapped uid, keeping the namespace's
        // capabilities for the set-up (dropped later, caps.cpp).
        prctl(PR_SET_KEEPCAPS, 1);
        if (setresgid(kSandboxUid, kSandboxUid, kSandboxUid) != 0 ||
            setresuid(kSandboxUid, kSandboxUid, kSandboxUid) != 0) {
          fprintf(stderr, "streamexec worker: setresuid in the user namespace: %s\n", strerror(errno));
          _exit(2);
        }
      }
      return 0;
    }
    // The relay: map the child's uid and gid, then let it go on.
    bool mapped = true;
    std::vector<int> trees(cfg.allow_write.size(), -1);
    if (flags & CLONE_NEWUSER) {
      uid_t outside = root ? kNobody : geteuid();
      gid_t outside_gid = root ? kNobody : getegid();
      mapped = write_proc(child, "setgroups", "deny") &&
               write_proc(child, "uid_map", fmt::format("{} {} 1\n", kSandboxUid, outside)) &&
               write_proc(child, "gid_map", fmt::format("{} {} 1\n", kSandboxUid, outside_gid));
      if (!mapped) last_errno = errno;
      report->host_uid = std::to_string(outside);
      if (mapped && root && (flags & CLONE_NEWNS))
        for (std::size_t i = 0; i < cfg.allow_write.size() && i < kMaxTrees; ++i)
          trees[i] = idmapped_tree(cfg.allow_write[i], &report->notes);
    } else {
      report->host_uid = std::to_string(geteuid());
    }
    if (!mapped) {
      kill(child, SIGKILL);
      reap(child);
      report->notes.push_back(fmt::format("cannot write the uid/gid maps of a user namespace: {}", strerror(last_errno)));
      continue;
    }
    if (!(flags & CLONE_NEWUSER) && !cfg.is_off("user_ns"))
      report->notes.push_back("no user namespace: the units run as the host's uid");
    bool sent = send_handoff(sock[0], flags, trees, *report);
    for (int t : trees)
      if (t >= 0) close(t);
    close(sock[0]);
    close(sock[1]);
    if (!sent) {
      kill(child, SIGKILL);
      return -1;
    }
    return child;
  }
  close(sock[0]);
  close(sock[1]);
  report->host_uid = std::to_string(geteuid());
  report->notes.push_back(fmt::format("no namespace could be created here ({}): the worker runs in the host's",
                                      strerror(last_errno)));
  return -1;
}

}  // namespace sx::sandbox
