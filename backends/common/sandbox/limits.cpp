// Step 1 of the sandbox (sandbox.h): rlimits and the pids cgroup, in the
// relay, before any namespace exists. The cgroup is joined here, with the
// host's credentials; the units, later a different (unprivileged) uid under
// a read-only /sys, cannot write their own cgroup or any other.
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "backends/common/sandbox/sandbox.h"

namespace sx::sandbox {

void apply_limits() {
  auto lim = [](const char *var, int resource) {
    const char *v = getenv(var);
    if (!v) return;
    unsigned long long n = strtoull(v, nullptr, 10);
    if (n == 0) return;
    rlimit rl{static_cast<rlim_t>(n), static_cast<rlim_t>(n)};
    setrlimit(resource, &rl);
  };
  lim("SX_WORKER_RLIMIT_AS", RLIMIT_AS);
  lim("SX_WORKER_RLIMIT_NOFILE", RLIMIT_NOFILE);
  lim("SX_WORKER_RLIMIT_NPROC", RLIMIT_NPROC);
  // The pids cgroup the host made for this worker (and its descendants).
  if (const char *procs = getenv("SX_WORKER_CGROUP_PROCS")) {
    int fd = open(procs, O_WRONLY | O_CLOEXEC);
    bool ok = fd >= 0 && dprintf(fd, "%d\n", getpid()) > 0;
    if (fd >= 0) close(fd);
    if (!ok) {
      fprintf(stderr, "streamexec worker: cannot join the process-limit cgroup %s\n", procs);
      _exit(2);
    }
  }
}

}  // namespace sx::sandbox
