// Step 5 of the sandbox (sandbox.h): once the namespaces are set up the
// supervisor needs no privilege. It empties its bounding, ambient,
// inheritable, permitted and effective capability sets and sets
// no_new_privs (no setuid or file capability can bring any back), and it
// becomes non-dumpable: the interpreter, same uid, cannot open its memory
// or ptrace it. The interpreter it forks inherits all of this.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "backends/common/sandbox/sandbox.h"

namespace sx::sandbox {
namespace {

int last_cap() {
  std::ifstream in("/proc/sys/kernel/cap_last_cap");
  int n = 0;
  return in >> n ? n : CAP_LAST_CAP;
}

}  // namespace

void drop_supervisor_privileges(const Config &cfg, Report *report) {
  // Root without a user namespace (the kernel refused one): still not root.
  if (!report->user_ns && geteuid() == 0 && !cfg.is_off("user_ns")) {
    if (setgroups(0, nullptr) == 0 && setresgid(65534, 65534, 65534) == 0 && setresuid(65534, 65534, 65534) == 0)
      report->host_uid = "65534";
    else
      report->notes.push_back(std::string("cannot leave uid 0: ") + strerror(errno));
  }
  if (!cfg.is_off("caps")) {
    // The bounding set first: dropping from it needs CAP_SETPCAP, which the
    // capset below takes away.
    for (int c = 0; c <= last_cap(); ++c) prctl(PR_CAPBSET_DROP, c, 0, 0, 0);
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
    if (syscall(SYS_capset, &hdr, data) != 0)
      report->notes.push_back(std::string("capset: ") + strerror(errno));
  }
  if (!cfg.is_off("no_new_privs") && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    report->notes.push_back(std::string("no_new_privs: ") + strerror(errno));
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

void lower_priority(const Config &cfg, Report *report) {
  if (cfg.is_off("nice")) return;
  if (setpriority(PRIO_PROCESS, 0, kUnitNice) != 0)
    report->notes.push_back(std::string("nice: setpriority: ") + strerror(errno));
}

}  // namespace sx::sandbox
