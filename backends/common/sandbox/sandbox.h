// The sandbox of a worker (docs/DESIGN.md §6b): what separates the code of the units
// from the host. One file per mechanism, applied in this fixed order by
// worker_runtime.cpp:
//
//   relay (the process the host spawned; the host's namespaces and uid)
//     1. limits.cpp      rlimits and the pids cgroup (joined while still the host's uid:
//                        the worker cannot write its cgroup afterwards)
//     2. user_ns.cpp     clone_supervisor(): the supervisor is cloned into new user, PID,
//                        mount, network, IPC and UTS namespaces; the relay, outside,
//                        maps the supervisor's uid to an unprivileged one (host root:
//                        nobody, 65534; others: their own uid), as uid 1000 inside
//   supervisor (PID 1 of the new namespaces)
//     3. mount_ns.cpp    the file system read-only but a private scratch tmpfs (/tmp:
//                        the units' cwd and HOME), /dev/shm, a /proc of its own, the
//                        host's home directory and /run hidden; the directories allowed
//                        for writing bound read-write
//     4. net_ns.cpp      loopback up in the network namespace (no other interface)
//     5. caps.cpp        drop_supervisor_privileges(): every capability dropped (the
//                        bounding and ambient sets too), no_new_privs, not dumpable
//   interpreter (forked by the supervisor, before it starts CPython / V8 / clang)
//     6. seccomp.cpp     a filter that denies ptrace, process_vm_*, mount, kexec, bpf,
//                        modules, perf_event_open, new namespaces, keyrings …
//
// Where the kernel refuses a mechanism (no user namespaces for this user, …)
// the worker runs without it and the report says so: the session_done event
// and `streamexec doctor` list what is missing, never silently weaker.
#ifndef STREAMEXEC_BACKENDS_SANDBOX_H
#define STREAMEXEC_BACKENDS_SANDBOX_H

#include <cstdint>
#include <set>
#include <string>
#include <sys/types.h>
#include <vector>

#include <nlohmann/json.hpp>

namespace sx::sandbox {

// The uid (and gid) the units run as inside their user namespace.
inline constexpr uid_t kSandboxUid = 1000;
// Where the scratch tmpfs is mounted: the units' cwd, HOME and TMPDIR.
inline constexpr const char *kScratchDir = "/tmp";
// The environment variable that carries the Config from host to worker.
inline constexpr const char *kConfigVar = "SX_WORKER_SANDBOX";

// Every protection that can be switched off, by name: the sandbox's own
// (reported), and those of the host and the process tree (the environment
// allow-list, closing inherited fds, the supervisor owning the protocol,
// the host's checks of reply frames). Only for diagnosis and the red-team
// tests, which show with them what each protection stops.
inline constexpr const char *kProtections[] = {"env",      "fds",      "supervisor",   "frame_checks", "user_ns",
                                               "pid_ns",   "mount_ns", "net_ns",       "read_only",    "hide",
                                               "own_proc", "caps",     "no_new_privs", "seccomp",      "nice"};

// The units' scheduling priority (nice; the host, the relay and the
// supervisor stay at theirs): when units keep the CPUs busy, the host and
// each worker's supervisor still run at once when they wake (a unit's output
// read, a result passed on, the next unit sent), and so do the machine's
// other processes. As nsjail lowers its jails' priority (there: 19).
inline constexpr int kUnitNice = 10;

// The network the units get (sx_options.network, `--network`).
enum class Network { None, Host };

struct Config {
  Network network = Network::None;        // None: own network namespace, loopback only
  std::vector<std::string> allow_write;   // absolute directories bound read-write
  std::vector<std::string> hide;          // directories covered by an empty tmpfs (host's HOME)
  std::uint64_t scratch_bytes = 512ull << 20;  // size cap of the scratch tmpfs (and /dev/shm)
  // Protections switched off (only the red-team tests do this, to show
  // that each protection is what stops its attack; never a default).
  std::set<std::string> off;
  bool is_off(const char *what) const { return off.count(what) != 0; }

  nlohmann::json to_json() const;
  // From the variable kConfigVar (the defaults if it is absent); false and
  // *err if it does not parse.
  static bool from_env(Config *out, std::string *err);
};

// What was applied, as facts (read back from the kernel where it can say).
struct Report {
  bool user_ns = false, pid_ns = false, mount_ns = false, net_ns = false;
  bool read_only = false, scratch = false, hide = false, own_proc = false, loopback = false;
  bool caps = false, no_new_privs = false, seccomp = false;
  bool nice = false;               // the interpreter runs at kUnitNice or lower priority
  std::string host_uid;            // the uid the units have on the host ("65534" …)
  std::vector<std::string> notes;  // why something is missing
  // Reads CapEff/CapBnd/NoNewPrivs/Seccomp of this process from
  // /proc/self/status into caps/no_new_privs/seccomp.
  void read_process_facts();
  nlohmann::json to_json() const;
  // From to_json()'s form (fields of the wrong type read as false / empty).
  static Report from_json(const nlohmann::json &j);
  // The protections in place, and those that are not ("user_ns", …) given
  // the config (net_ns and loopback are not missing when the host's network
  // was asked for).
  std::vector<std::string> active() const;
  std::vector<std::string> missing(Network network) const;
};

// --- relay (single-threaded) ---------------------------------------------------
// rlimits and the pids cgroup from the SX_WORKER_* variables (limits.cpp).
void apply_limits();

// Clones the supervisor into new namespaces (as many as the kernel allows;
// *report says which). Returns the child's pid in the relay, 0 in the
// supervisor, -1 if no clone was made at all (the caller then runs on in
// this process, in the host's namespaces). In the supervisor,
// *write_trees gets one detached mount tree per cfg.allow_write directory
// (-1 where none could be made), to be attached by set_up_mounts.
pid_t clone_supervisor(const Config &cfg, Report *report, std::vector<int> *write_trees);

// --- supervisor ----------------------------------------------------------------
void set_up_mounts(const Config &cfg, const std::vector<int> &write_trees, Report *report);  // mount_ns.cpp
void set_up_network(const Config &cfg, Report *report);  // net_ns.cpp
// The supervisor keeps no capability once the namespaces are set up; the
// interpreter it forks inherits none (caps.cpp).
void drop_supervisor_privileges(const Config &cfg, Report *report);

// --- interpreter -----------------------------------------------------------------
// The seccomp filter (seccomp.cpp), before anything of the backend runs.
void install_seccomp(const Config &cfg, Report *report);
// The interpreter's priority lowered to kUnitNice (caps.cpp); its children inherit it.
void lower_priority(const Config &cfg, Report *report);

}  // namespace sx::sandbox

#endif
