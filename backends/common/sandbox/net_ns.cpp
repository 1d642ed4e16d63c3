// Step 4 of the sandbox (sandbox.h): a new network namespace has one
// interface, lo, and it is down; bring it up so that units can talk to
// themselves (a test server on 127.0.0.1) but reach nothing else — not the
// host's loopback services, not the network.
#include <cerrno>
#include <cstring>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backends/common/sandbox/sandbox.h"

namespace sx::sandbox {

void set_up_network(const Config &cfg, Report *report) {
  if (!report->net_ns) {
    if (cfg.network != Network::Host && !cfg.is_off("net_ns"))
      report->notes.push_back("no network namespace: the units share the host's network");
    return;
  }
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) {
    report->notes.push_back(std::string("loopback: socket: ") + strerror(errno));
    return;
  }
  ifreq ifr{};
  strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP | IFF_RUNNING);
    report->loopback = ioctl(s, SIOCSIFFLAGS, &ifr) == 0;
  }
  if (!report->loopback) report->notes.push_back(std::string("loopback stays down: ") + strerror(errno));
  close(s);
}

}  // namespace sx::sandbox
