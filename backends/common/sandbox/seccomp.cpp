// Step 6 of the sandbox (sandbox.h): a seccomp filter in the interpreter,
// installed before the backend starts (every thread CPython, V8 or clang
// creates later has it too, and every process a unit starts). A deny list:
// the system calls below fail with EPERM (clone3 with ENOSYS, so that the C
// library falls back to clone, whose flags the filter can see). Other
// architectures' system calls (int 0x80, x32) kill the process.
//
// What it is for: the kernel's attack surface and the ways out of the
// namespaces — ptrace and process_vm_* (the memory of other processes),
// mount and the new mount API, new namespaces (unshare, setns, clone with
// CLONE_NEW*), kexec, modules, bpf, perf_event_open, userfaultfd and
// io_uring (frequent sources of kernel exploits), keyrings, the clock,
// swap, reboot, and TIOCSTI (typing into a terminal).
#include <cerrno>
#include <cstring>
#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>

#include "backends/common/sandbox/sandbox.h"

namespace sx::sandbox {
namespace {

constexpr const char *kDenied[] = {
    "ptrace",          "process_vm_readv", "process_vm_writev", "process_madvise", "pidfd_getfd",
    "kcmp",            "mount",            "umount2",           "pivot_root",      "chroot",
    "move_mount",      "open_tree",        "fsopen",            "fsconfig",        "fsmount",
    "fspick",          "mount_setattr",    "unshare",           "setns",           "kexec_load",
    "kexec_file_load", "init_module",      "finit_module",      "delete_module",   "bpf",
    "perf_event_open", "userfaultfd",      "io_uring_setup",    "io_uring_enter",  "io_uring_register",
    "add_key",         "request_key",      "keyctl",            "reboot",          "swapon",
    "swapoff",         "settimeofday",     "clock_settime",     "clock_adjtime",   "adjtimex",
    "acct",            "quotactl",         "quotactl_fd",       "lookup_dcookie",  "open_by_handle_at",
    "name_to_handle_at", "iopl",           "ioperm",            "syslog",          "vhangup",
    "uselib",          "fanotify_init",
};

constexpr unsigned long kNamespaceFlags[] = {CLONE_NEWUSER, CLONE_NEWNS,  CLONE_NEWPID,
                                             CLONE_NEWNET,  CLONE_NEWIPC, CLONE_NEWUTS,
                                             CLONE_NEWCGROUP};

}  // namespace

void install_seccomp(const Config &cfg, Report *report) {
  if (cfg.is_off("seccomp")) return;
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx) {
    report->notes.push_back("seccomp: cannot create a filter");
    return;
  }
  // no_new_privs is caps.cpp's to set (or, in a test, not to): libseccomp
  // must not set it on its own.
  seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
  // A binary tree of the system call numbers rather than a list: fewer
  // instructions for the calls the kernel cannot cache as allowed (those with
  // argument rules: clone, ioctl).
  seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  auto fail = [&](const std::string &what, int rc) {
    report->notes.push_back("seccomp: " + what + ": " + strerror(-rc));
    seccomp_release(ctx);
  };
  const auto deny = SCMP_ACT_ERRNO(EPERM);
  for (const char *name : kDenied) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) continue;  // not a system call of this architecture
    if (int rc = seccomp_rule_add(ctx, deny, nr, 0); rc != 0) return fail(name, rc);
  }
  for (unsigned long flag : kNamespaceFlags)
    if (int rc = seccomp_rule_add(ctx, deny, SCMP_SYS(clone), 1, SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag)); rc != 0)
      return fail("clone", rc);
  if (int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0); rc != 0)
    return fail("clone3", rc);
  for (unsigned long req : {static_cast<unsigned long>(TIOCSTI), static_cast<unsigned long>(TIOCLINUX)})
    if (int rc = seccomp_rule_add(ctx, deny, SCMP_SYS(ioctl), 1, SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, req));
        rc != 0)
      return fail("ioctl", rc);
  if (int rc = seccomp_load(ctx); rc != 0) return fail("load", rc);
  seccomp_release(ctx);
}

}  // namespace sx::sandbox
