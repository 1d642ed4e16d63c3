// Step 3 of the sandbox (sandbox.h): the supervisor's view of the file
// system, in its own mount namespace.
//
//   /            the host's tree, recursively read-only and nosuid
//   /tmp         a fresh tmpfs of cfg.scratch_bytes (mode 1777): the units'
//                cwd, HOME and TMPDIR; it disappears with the namespace
//   /dev/shm     a fresh tmpfs of the same size (the host's shared memory
//                objects are not visible)
//   /proc        a proc of the worker's PID namespace (no host pid in it)
//   /run, cfg.hide (the host user's home directory)
//                covered by an empty read-only tmpfs: sockets of the host's
//                daemons and the user's files (keys, tokens) are not there
//   cfg.allow_write
//                the host's directories, read-write, on top of all that
//
// Mounts of the parent namespace that the kernel locks into a user
// namespace stay as they are; everything new here is the sandbox's own.
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "backends/common/sandbox/sandbox.h"

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

namespace sx::sandbox {
namespace {

int set_attr(const char *path, std::uint64_t set, std::uint64_t clear, bool recursive) {
  mount_attr attr{};
  attr.attr_set = set;
  attr.attr_clr = clear;
  return mount_setattr(AT_FDCWD, path, recursive ? AT_RECURSIVE : 0, &attr, sizeof attr);
}

// mkdir -p, for mount points inside fresh tmpfs mounts.
void make_dirs(const std::string &path) {
  for (std::size_t i = 1; i <= path.size(); ++i)
    if (i == path.size() || path[i] == '/') mkdir(path.substr(0, i).c_str(), 0755);
}

bool is_under(const std::string &path, const std::string &dir) {
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                         (dir.back() == '/' || path[dir.size()] == '/'));
}

}  // namespace

void set_up_mounts(const Config &cfg, const std::vector<int> &write_trees, Report *report) {
  auto note = [&](const std::string &what) { report->notes.push_back(what + ": " + strerror(errno)); };
  if (!report->mount_ns) {
    if (!cfg.is_off("mount_ns")) report->notes.push_back("no mount namespace: the file system is the host's");
    return;
  }
  // Nothing done here propagates back to the host's namespace.
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    note("cannot make the mounts private");
    return;
  }
  // The directories allowed for writing, taken while their paths still mean
  // the host's directories (/tmp/x is hidden by the scratch below).
  std::vector<int> trees = write_trees;
  trees.resize(cfg.allow_write.size(), -1);
  for (std::size_t i = 0; i < trees.size(); ++i)
    if (trees[i] < 0)
      trees[i] = static_cast<int>(open_tree(AT_FDCWD, cfg.allow_write[i].c_str(),
                                            OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE));

  if (!cfg.is_off("read_only")) {
    if (set_attr("/", MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID, 0, true) == 0)
      report->read_only = true;
    else
      note("cannot make the file system read-only");
  }

  std::string size = fmt::format("size={},mode=1777", cfg.scratch_bytes);
  if (mount("sx-scratch", kScratchDir, "tmpfs", MS_NOSUID | MS_NODEV, size.c_str()) == 0)
    report->scratch = true;
  else
    note("cannot mount the scratch tmpfs");
  if (mount("sx-shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, size.c_str()) != 0)
    note("cannot mount /dev/shm");

  if (!cfg.is_off("hide")) {
    bool hidden = true;
    std::vector<std::string> hide = cfg.hide;
    hide.insert(hide.begin(), "/run");
    for (const auto &dir : hide) {
      struct stat st;
      if (dir == "/" || is_under(kScratchDir, dir) || stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
      if (mount("sx-hidden", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=1m,mode=755") != 0) {
        note("cannot hide " + dir);
        hidden = false;
        continue;
      }
      // Mount points for the allowed directories inside, then read-only.
      for (const auto &w : cfg.allow_write)
        if (is_under(w, dir)) make_dirs(w);
      mount(nullptr, dir.c_str(), nullptr, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_BIND, nullptr);
    }
    report->hide = hidden;
  }

  if (report->pid_ns && !cfg.is_off("own_proc")) {
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) == 0)
      report->own_proc = true;
    else
      note("cannot mount a /proc of the worker's PID namespace");
  }

  for (std::size_t i = 0; i < trees.size(); ++i) {
    const std::string &dir = cfg.allow_write[i];
    if (is_under(dir, kScratchDir)) make_dirs(dir);
    if (trees[i] < 0) {
      report->notes.push_back(fmt::format("{} is not writable: cannot copy its mount", dir));
      continue;
    }
    if (move_mount(trees[i], "", AT_FDCWD, dir.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0)
      note("cannot mount " + dir + " for writing");
    close(trees[i]);
  }
  if (chdir(kScratchDir) != 0) note("cannot enter the scratch directory");
}

}  // namespace sx::sandbox
