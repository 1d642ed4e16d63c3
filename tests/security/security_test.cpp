// The red-team suite (issue 15; README "Security"): one test per attack, in
// each language where it applies. Every test streams the attack as a program
// of its own, then an honest program, and checks that the attack failed *and*
// that the host and the session went on (the honest program's output is all
// there). The attacks are what a model, or a prompt injection in what it
// read, could write.
//
// SX_SECURITY_OFF=<comma list> switches protections off (sx_options.
// sandbox_off; "max_procs" is this suite's own: no process limit): run with
// the protections a test names and it must fail. protection_matters.py
// checks exactly that for each test (ctest security_without_*), and
// security_unprivileged runs the whole suite as an unprivileged user.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <poll.h>
#include <random>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

namespace {

using sxt::Trace;
using nlohmann::json;

struct Lang {
  sx_lang lang;
  const char *name;
};
void PrintTo(const Lang &l, std::ostream *os) { *os << l.name; }
const Lang kPy{SX_LANG_PYTHON, "python"}, kJs{SX_LANG_JAVASCRIPT, "javascript"}, kCpp{SX_LANG_CPP, "cpp"};

std::string off_list() {
  const char *v = getenv("SX_SECURITY_OFF");
  return v ? v : "";
}
bool switched_off(const std::string &what) {
  std::string l = "," + off_list() + ",";
  return l.find("," + what + ",") != std::string::npos;
}
// The protections to pass to the library (all but this suite's own).
std::string library_off() {
  std::string out, item;
  std::istringstream in(off_list());
  while (std::getline(in, item, ','))
    if (!item.empty() && item != "max_procs") out += (out.empty() ? "" : ",") + item;
  return out;
}

std::string random_token(const char *prefix) {
  std::random_device rd;
  return prefix + std::to_string(rd()) + std::to_string(rd());
}

// Secrets of the host. The API key is in the host's environment from its
// start (main() re-executes the test with it): /proc/<pid>/environ shows a
// process's initial environment, not what setenv() added later.
const char *const kKeyPrefix = "sk-streamexec-redteam-";
std::string kApiKey;
std::string g_secret_path;  // a file the host has open (fd g_secret_fd, inherited)
int g_secret_fd = -1;
const std::string kSecretFileText = random_token("host-secret-fd-");
volatile char g_canary[64] = "streamexec-canary-untouched";
std::atomic<int> g_usr2{0};

class Environment : public ::testing::Environment {
 public:
  void SetUp() override {
    // Not O_CLOEXEC: as a careless embedding program would leave it.
    g_secret_path = (std::filesystem::temp_directory_path() / random_token("sx_redteam_secret_")).string();
    {
      std::ofstream f(g_secret_path);
      f << kSecretFileText;
    }
    // At fd 40: fds 3 and 4 are the workers' protocol pipes in any case.
    int fd = open(g_secret_path.c_str(), O_RDONLY);
    g_secret_fd = fcntl(fd, F_DUPFD, 40);
    close(fd);
    signal(SIGUSR2, [](int) { g_usr2 = 1; });
  }
  void TearDown() override {
    close(g_secret_fd);
    unlink(g_secret_path.c_str());
  }
};
const auto *const g_env = ::testing::AddGlobalTestEnvironment(new Environment);

struct Outcome {
  Trace r;
  long attack_last = -1;  // the attack program's last unit
  std::string attack_out;  // the attack's stdout
  std::string honest_out;  // the honest program's stdout
};

class Attack : public ::testing::TestWithParam<Lang> {
 protected:
  const Lang &L() const { return GetParam(); }
  std::string pick(const std::string &py, const std::string &js, const std::string &cpp) const {
    return L().lang == SX_LANG_PYTHON ? py : L().lang == SX_LANG_JAVASCRIPT ? js : cpp;
  }
  std::string honest() const {
    return pick("print('alive', 6 * 7)\n", "console.log('alive', 6 * 7);\n",
                "#include <cstdio>\nint main() { std::printf(\"alive %d\\n\", 6 * 7); }\n");
  }

  // Streams the attack program, then the honest one, in one session.
  Outcome run(const std::string &attack, sx_options o) const {
    std::string off = library_off();
    o.sandbox_off = off.empty() ? nullptr : off.c_str();
    o.mode = SX_MODE_MARKDOWN;
    o.on_error = SX_POLICY_CONTINUE;
    o.unit_timeout_s = 30;
    // Only this language's worker (RLIMIT_NPROC, the process limit of an
    // unprivileged host, counts every worker of the user together).
    o.prestart = 1u << L().lang;
    std::string fence = std::string("```") + L().name + "\n";
    Outcome out;
    out.r = sxt::run_text(o, fence + attack + "```\n\n" + fence + honest() + "```\n");
    for (const auto &e : out.r.events) {
      if (e["event"] != "output" || e["stream"] != "stdout") continue;
      // Output of the attack program's units, or of the honest one's (fence 1).
      (fence_of(out.r, e["unit_id"]) == 0 ? out.attack_out : out.honest_out) += e["text"].get<std::string>();
    }
    if (getenv("SX_SECURITY_VERBOSE")) {
      fprintf(stderr, "attack output:\n%s\n", out.attack_out.c_str());
      for (const auto &e : out.r.events) fprintf(stderr, "%s\n", e.dump().substr(0, 300).c_str());
    }
    // The host and the session went on: the honest program ran, whole.
    EXPECT_EQ(out.honest_out, "alive 42\n") << "the session did not go on after the attack";
    EXPECT_EQ(out.r.of("session_done").size(), 1u);
    return out;
  }
  Outcome run(const std::string &attack) const { return run(attack, sxt::default_options()); }

  static int fence_of(const Trace &r, const json &unit_id) {
    for (const auto &e : r.of("unit_closed"))
      if (e["unit"]["id"] == unit_id) return e["unit"]["fence"];
    return -1;
  }
};

// C++ attacks are complete programs: their work in main().
std::string cpp_main(const std::string &includes, const std::string &body) {
  return includes + "int main() {\n" + body + "}\n";
}

// ---------------------------------------------------------------- secrets

// The agent's API key is in the host's environment: not in the worker's.
TEST_P(Attack, EnvSecret) {
  Outcome o = run(pick("import os\nfor k, v in os.environ.items(): print(k, v)\n",
                   "for (const [k, v] of Object.entries(process.env)) console.log(k, v);\n",
                   cpp_main("#include <cstdio>\nextern char **environ;\n",
                            "  for (char **e = environ; *e; ++e) std::puts(*e);\n")));
  EXPECT_EQ(o.attack_out.find(kApiKey), std::string::npos) << o.attack_out;
  EXPECT_NE(o.attack_out.find("PATH"), std::string::npos) << "the attack did not run: " << o.attack_out;
}

// The host's environment through /proc: the host's pid, the parent's, pid 1.
TEST_P(Attack, ProcEnviron) {
  std::string host = std::to_string(getpid());
  Outcome o = run(pick("import os\nfor p in ['" + host + "', str(os.getppid()), '1']:\n"
                   "    try: print(open(f'/proc/{p}/environ', 'rb').read())\n"
                   "    except OSError as e: print('denied', e)\n",
                   "const fs = require('fs');\nfor (const p of ['" + host + "', String(process.ppid), '1']) {\n"
                   "  try { console.log(fs.readFileSync(`/proc/${p}/environ`, 'latin1')); }\n"
                   "  catch (e) { console.log('denied', e.code); }\n}\n",
                   cpp_main("#include <cstdio>\n#include <fstream>\n#include <iterator>\n#include <string>\n"
                            "#include <unistd.h>\n",
                            "  for (std::string p : {std::string(\"" + host + "\"), std::to_string(getppid()), "
                            "std::string(\"1\")}) {\n"
                            "    std::ifstream f(\"/proc/\" + p + \"/environ\");\n"
                            "    std::string s((std::istreambuf_iterator<char>(f)), {});\n"
                            "    for (char &c : s) if (c == 0) c = '\\n';\n"
                            "    std::printf(\"%s %zu %s\\n\", p.c_str(), s.size(), s.c_str());\n  }\n")));
  EXPECT_EQ(o.attack_out.find(kApiKey), std::string::npos) << o.attack_out;
}

// An fd the embedding program left open (no O_CLOEXEC): not inherited.
TEST_P(Attack, InheritedFd) {
  ASSERT_GE(g_secret_fd, 0);
  Outcome o = run(pick("import os\nfor fd in range(1024):\n"
                   "    try: os.lseek(fd, 0, 0); print(fd, os.read(fd, 200))\n"
                   "    except OSError: pass\n",
                   "const fs = require('fs');\nfor (let fd = 0; fd < 1024; fd++) {\n"
                   "  try { const b = Buffer.alloc(200); const n = fs.readSync(fd, b, 0, 200, 0);\n"
                   "        console.log(fd, b.toString('latin1', 0, n)); } catch (e) {}\n}\n",
                   cpp_main("#include <cstdio>\n#include <unistd.h>\n",
                            "  for (int fd = 0; fd < 1024; ++fd) {\n"
                            "    char b[201] = {0};\n    ssize_t n = pread(fd, b, 200, 0);\n"
                            "    if (n > 0) std::printf(\"%d %s\\n\", fd, b);\n  }\n")));
  EXPECT_EQ(o.attack_out.find(kSecretFileText), std::string::npos) << "fd " << g_secret_fd << ": " << o.attack_out;
}

// The host user's home directory is hidden.
TEST_P(Attack, HostHomeHidden) {
  const char *home = getenv("HOME");
  if (!home || std::string(home) == "/" || access(home, W_OK) != 0) GTEST_SKIP() << "no writable HOME";
  std::string path = std::string(home) + "/" + random_token(".sx_redteam_home_");
  std::string secret = random_token("home-secret-");
  {
    std::ofstream f(path);
    f << secret;
  }
  chmod(path.c_str(), 0644);  // readable by anyone who can reach it
  Outcome o = run(pick("try: print(open('" + path + "').read())\nexcept OSError as e: print('denied', e)\n",
                   "try { console.log(require('fs').readFileSync('" + path + "', 'utf8')); }\n"
                   "catch (e) { console.log('denied', e.code); }\n",
                   cpp_main("#include <cstdio>\n#include <fstream>\n#include <string>\n",
                            "  std::ifstream f(\"" + path + "\");\n  std::string s;\n  f >> s;\n"
                            "  std::printf(\"got '%s'\\n\", s.c_str());\n")));
  unlink(path.c_str());
  EXPECT_EQ(o.attack_out.find(secret), std::string::npos) << o.attack_out;
}

// ------------------------------------------------------------ host memory

// Writing the host's memory through /proc/<pid>/mem.
TEST_P(Attack, ProcMem) {
  std::string host = std::to_string(getpid());
  std::string addr = std::to_string(reinterpret_cast<std::uintptr_t>(&g_canary[0]));
  Outcome o = run(pick("try:\n    f = open('/proc/" + host + "/mem', 'r+b', buffering=0)\n    f.seek(" + addr +
                       ")\n    f.write(b'PWNED')\n    print('wrote')\nexcept OSError as e: print('denied', e)\n",
                   "const fs = require('fs');\ntry { const fd = fs.openSync('/proc/" + host + "/mem', 'r+');\n"
                   "  fs.writeSync(fd, Buffer.from('PWNED'), 0, 5, " + addr + "); console.log('wrote'); }\n"
                   "catch (e) { console.log('denied', e.code); }\n",
                   cpp_main("#include <cstdio>\n#include <fcntl.h>\n#include <unistd.h>\n",
                            "  int fd = open(\"/proc/" + host + "/mem\", O_RDWR);\n"
                            "  std::printf(\"%d %zd\\n\", fd, fd < 0 ? -1 : pwrite(fd, \"PWNED\", 5, " + addr +
                                "));\n")));
  EXPECT_EQ(std::string(const_cast<const char *>(g_canary)), "streamexec-canary-untouched") << o.attack_out;
}

// ptrace(PTRACE_SEIZE) of the host (no stop: the host would hang if it
// worked), then of the worker's supervisor (pid 1 of its namespace).
TEST_P(Attack, Ptrace) {
  if (L().lang == SX_LANG_JAVASCRIPT) GTEST_SKIP() << "JavaScript cannot call ptrace";
  std::string host = std::to_string(getpid());
  Outcome o = run(pick("import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"
                   "for pid in (" + host + ", os.getppid()):\n"
                   "    r = libc.ptrace(0x4206, pid, 0, 0)\n"  // PTRACE_SEIZE
                   "    print(pid, r, ctypes.get_errno())\n"
                   "    if r == 0: libc.ptrace(17, pid, 0, 0)\n",  // PTRACE_DETACH
                   "",
                   cpp_main("#include <cstdio>\n#include <cerrno>\n#include <sys/ptrace.h>\n#include <unistd.h>\n",
                            "  for (pid_t pid : {(pid_t)" + host + ", getppid()}) {\n"
                            "    long r = ptrace((__ptrace_request)0x4206, pid, 0, 0);\n"
                            "    std::printf(\"%d %ld %d\\n\", pid, r, errno);\n"
                            "    if (r == 0) ptrace(PTRACE_DETACH, pid, 0, 0);\n  }\n")));
  std::istringstream lines(o.attack_out);
  int n = 0;
  for (long pid, r, err; lines >> pid >> r >> err; ++n) EXPECT_EQ(r, -1) << "ptrace of " << pid << " worked";
  EXPECT_EQ(n, 2) << o.attack_out;
}

// A signal to the host by its pid.
TEST_P(Attack, SignalTheHost) {
  g_usr2 = 0;
  std::string host = std::to_string(getpid());
  Outcome o = run(pick("import os, signal\ntry: os.kill(" + host + ", signal.SIGUSR2); print('sent')\n"
                   "except OSError as e: print('denied', e)\n",
                   "try { process.kill(" + host + ", 'SIGUSR2'); console.log('sent'); }\n"
                   "catch (e) { console.log('denied', e.code); }\n",
                   cpp_main("#include <cstdio>\n#include <csignal>\n",
                            "  std::printf(\"%d\\n\", kill(" + host + ", SIGUSR2));\n")));
  usleep(100000);
  EXPECT_EQ(g_usr2.load(), 0) << o.attack_out;
}

// ----------------------------------------------------------------- protocol

// Forged frames to every descriptor: an "output" frame for the honest
// program's unit and a "done" frame with a value. The host must believe
// neither. (fd 1 and 2 are the attack's own output: not written to.)
TEST_P(Attack, ForgedFrames) {
  // The honest program's unit is the attack's last unit + 1.
  std::string frames_py =
      "import json, os, struct\n"
      "def frame(m):\n    b = json.dumps(m).encode()\n    return struct.pack('<I', len(b)) + b\n"
      "fake = b''.join(frame(m) for m in [{'op': 'output', 'id': i, 'stream': 'stdout', 'text': 'FORGED\\n'}\n"
      "                                for i in range(8)] + [{'op': 'done', 'id': i, 'status': 'ok',\n"
      "                                'value': 'FORGED'} for i in range(8)])\n"
      "for fd in list(range(4, 1024)) + [3]:\n    try: os.write(fd, fake)\n    except OSError: pass\n";
  std::string frames_js =
      "const fs = require('fs');\nconst parts = [];\n"
      "for (let i = 0; i < 8; i++) for (const m of [{op: 'output', id: i, stream: 'stdout', text: 'FORGED\\n'},\n"
      "                                      {op: 'done', id: i, status: 'ok', value: 'FORGED'}]) {\n"
      "  const b = Buffer.from(JSON.stringify(m)); const h = Buffer.alloc(4); h.writeUInt32LE(b.length);\n"
      "  parts.push(h, b); }\nconst fake = Buffer.concat(parts);\n"
      "for (const fd of [...Array(1020).keys()].map(i => i + 4).concat([3])) { try { fs.writeSync(fd, fake); } catch (e) {} }\n";
  std::string frames_cpp = cpp_main(
      "#include <cstdio>\n#include <cstdint>\n#include <string>\n#include <unistd.h>\n",
      "  std::string fake;\n  for (int i = 0; i < 8; ++i)\n"
      "    for (std::string m : {\"{\\\"op\\\":\\\"output\\\",\\\"id\\\":\" + std::to_string(i) +\n"
      "                          \",\\\"stream\\\":\\\"stdout\\\",\\\"text\\\":\\\"FORGED\\\\n\\\"}\",\n"
      "                          \"{\\\"op\\\":\\\"done\\\",\\\"id\\\":\" + std::to_string(i) +\n"
      "                          \",\\\"status\\\":\\\"ok\\\",\\\"value\\\":\\\"FORGED\\\"}\"}) {\n"
      "      uint32_t n = m.size();\n      fake.append((const char *)&n, 4);\n      fake += m;\n    }\n"
      "  for (int i = 4; i <= 1024; ++i) (void)!write(i == 1024 ? 3 : i, fake.data(), fake.size());\n");
  Outcome o = run(pick(frames_py, frames_js, frames_cpp));
  // (What the attack wrote to its own stdout — the interpreter keeps a copy
  // of it at a high fd — is its own output, like a print: not a forgery.)
  for (const auto &e : o.r.events) {
    bool attack = e.contains("unit_id") && fence_of(o.r, e["unit_id"]) == 0;
    EXPECT_FALSE(!attack && e["event"] == "output" && e.value("text", "").find("FORGED") != std::string::npos)
        << e.dump();
    EXPECT_FALSE(e["event"] == "unit_done" && e.value("value", "").find("FORGED") != std::string::npos) << e.dump();
  }
}

// Garbage on every descriptor: a frame that is not an object, one with a
// field of the wrong type, one longer than any reply, bytes that are not
// JSON. At most the worker dies (WorkerError: protocol violation); the host
// and the session go on. fd 4 before fd 3: with the supervisor switched off
// the host's own pipe stays open as fd 4; written first, the host reads the
// garbage before the supervisor can kill the interpreter for what it got on
// its channel (fd 3) — in ascending order that raced, and the check that the
// switched-off protections matter passed about 1 run in 10. (Not descending:
// garbage on V8's own descriptors first can make node trap on its own.)
TEST_P(Attack, GarbageFrames) {
  Outcome o =
      run(pick("import os, struct\n"
               "bad = [b'[1,2]', b'{\"op\":5}', b'{\"op\":\"done\",\"id\":\"x\",\"status\":[]}', b'\\xff\\xfe']\n"
               "fake = b''.join(struct.pack('<I', len(b)) + b for b in bad) + struct.pack('<I', 0x7fffffff)\n"
               "for fd in range(3, 1024):\n    fd = {3: 4, 4: 3}.get(fd, fd)\n    try: os.write(fd, fake)\n    except "
               "OSError: pass\n",
               "const fs = require('fs');\nconst parts = [];\n"
               "for (const s of ['[1,2]', '{\"op\":5}', '{\"op\":\"done\",\"id\":\"x\",\"status\":[]}']) {\n"
               "  const b = Buffer.from(s); const h = Buffer.alloc(4); h.writeUInt32LE(b.length); parts.push(h, b); }\n"
               "const big = Buffer.alloc(4); big.writeUInt32LE(0x7fffffff); parts.push(big);\n"
               "const fake = Buffer.concat(parts);\n"
               "for (let i = 3; i < 1024; i++) {\n  const fd = i === 3 ? 4 : i === 4 ? 3 : i;\n  try { "
               "fs.writeSync(fd, fake); } catch (e) {}\n}\n",
               cpp_main("#include <cstdint>\n#include <string>\n#include <unistd.h>\n",
                        "  std::string fake;\n"
                        "  for (std::string m : {\"[1,2]\", \"{\\\"op\\\":5}\"}) {\n"
                        "    uint32_t n = m.size();\n    fake.append((const char *)&n, 4);\n    fake += m;\n  }\n"
                        "  uint32_t big = 0x7fffffff;\n  fake.append((const char *)&big, 4);\n"
                        "  for (int i = 3; i < 1024; ++i) {\n    int fd = i == 3 ? 4 : i == 4 ? 3 : i;\n    "
                        "(void)!write(fd, fake.data(), fake.size());\n  }\n")));
  for (const auto &d : o.r.done()) {
    if (d["status"] != "crashed") continue;
    EXPECT_EQ(d["error"]["type"], "WorkerError") << d.dump();
    EXPECT_NE(d["error"]["message"].get<std::string>().find("protocol violation"), std::string::npos) << d.dump();
  }
}

// A 150 MB value: cut at 1 MiB with a marker; the host does not grow by it.
// (Node's inspect cuts long strings itself, but not an object's keys.)
TEST_P(Attack, HugeValue) {
  if (L().lang == SX_LANG_CPP) GTEST_SKIP() << "C++ units have no value";
  {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";  // resets VmHWM
  }
  sx_options opt = sxt::default_options();
  opt.output_cap_bytes = 64u << 20;
  Outcome o = run(pick("'x' * 150_000_000\n", "({['x'.repeat(150e6)]: 1})\n", ""), opt);
  long hwm_kb = 0;
  std::ifstream st("/proc/self/status");
  for (std::string line; std::getline(st, line);)
    if (line.rfind("VmHWM:", 0) == 0) hwm_kb = std::atol(line.c_str() + 6);
  json d = o.r.done_of(0);
  EXPECT_EQ(d["status"], "ok") << d.dump().substr(0, 300);
  std::string v = d.value("value", "");
  EXPECT_LE(v.size(), (1u << 20) + 200);
  EXPECT_NE(v.find("value cut at"), std::string::npos) << v.substr(v.size() > 200 ? v.size() - 200 : 0);
  EXPECT_LT(hwm_kb, 400 * 1024) << "the host's peak RSS";
}

// ------------------------------------------------------------- the machine

// Escaping the process limit by moving into another cgroup.
TEST_P(Attack, CgroupEscape) {
  Outcome o = run(pick("import os\nfor d in ['/sys/fs/cgroup/pids', '/sys/fs/cgroup/unified', '/sys/fs/cgroup']:\n"
                   "    try:\n        open(d + '/cgroup.procs', 'w').write(str(os.getpid()))\n"
                   "        print('ESCAPED', d)\n    except OSError as e: print('denied', d, e)\n",
                   "const fs = require('fs');\n"
                   "for (const d of ['/sys/fs/cgroup/pids', '/sys/fs/cgroup/unified', '/sys/fs/cgroup']) {\n"
                   "  try { fs.writeFileSync(d + '/cgroup.procs', String(process.pid)); console.log('ESCAPED', d); }\n"
                   "  catch (e) { console.log('denied', d, e.code); }\n}\n",
                   cpp_main("#include <cstdio>\n#include <fstream>\n#include <unistd.h>\n",
                            "  for (const char *d : {\"/sys/fs/cgroup/pids\", \"/sys/fs/cgroup/unified\", "
                            "\"/sys/fs/cgroup\"}) {\n"
                            "    std::ofstream f(std::string(d) + \"/cgroup.procs\");\n"
                            "    f << getpid() << std::flush;\n"
                            "    std::printf(\"%s %s\\n\", f.good() ? \"ESCAPED\" : \"denied\", d);\n  }\n")));
  EXPECT_EQ(o.attack_out.find("ESCAPED"), std::string::npos) << o.attack_out;
}

// More processes than the limit (64 here): the forks beyond it fail.
TEST_P(Attack, ForkPastTheLimit) {
  sx_options opt = sxt::default_options();
  opt.worker_max_processes = switched_off("max_procs") ? 0 : 64;
  Outcome o = run(pick("import os, time\nkids = []\n"
                   "for i in range(150):\n    try:\n        p = os.fork()\n"
                   "        if p == 0:\n            time.sleep(30); os._exit(0)\n        kids.append(p)\n"
                   "    except OSError: break\n"
                   "print('forked', len(kids))\nfor p in kids: os.kill(p, 9); os.waitpid(p, 0)\n",
                   "const cp = require('child_process');\nconst kids = [];\n"
                   "for (let i = 0; i < 150; i++) { const c = cp.spawn('sleep', ['30']); c.on('error', () => {});\n"
                   "  if (!c.pid) break; kids.push(c); }\n"
                   "console.log('forked', kids.length);\nfor (const c of kids) c.kill('SIGKILL');\n",
                   cpp_main("#include <cstdio>\n#include <vector>\n#include <csignal>\n#include <unistd.h>\n"
                            "#include <sys/wait.h>\n",
                            "  std::vector<pid_t> kids;\n  for (int i = 0; i < 150; ++i) {\n"
                            "    pid_t p = fork();\n    if (p == 0) { sleep(30); _exit(0); }\n"
                            "    if (p < 0) break;\n    kids.push_back(p);\n  }\n"
                            "  std::printf(\"forked %zu\\n\", kids.size());\n"
                            "  for (pid_t p : kids) { kill(p, SIGKILL); waitpid(p, nullptr, 0); }\n")),
              opt);
  auto at = o.attack_out.find("forked ");
  ASSERT_NE(at, std::string::npos) << o.attack_out;
  // A pids cgroup (root) is exact; RLIMIT_NPROC (unprivileged) counts all
  // the user's tasks, which come and go: the limit is the count at the
  // worker's start plus 64.
  EXPECT_LT(std::atoi(o.attack_out.c_str() + at + 7), getuid() == 0 ? 64 : 100) << o.attack_out;
}

// Writing outside the scratch directory: system directories and the host's
// working directory stay as they were.
TEST_P(Attack, WriteOutsideScratch) {
  std::string name = random_token("sx_redteam_write_");
  std::vector<std::string> targets = {"/etc/" + name, "/usr/" + name,
                                      std::filesystem::current_path().string() + "/" + name};
  std::string list;
  for (const auto &t : targets) list += (list.empty() ? "'" : ", '") + t + "'";
  Outcome o = run(pick("for p in [" + list + "]:\n    try: open(p, 'w').write('x'); print('WROTE', p)\n"
                   "    except OSError as e: print('denied', p, e)\n",
                   "for (const p of [" + list + "]) {\n"
                   "  try { require('fs').writeFileSync(p, 'x'); console.log('WROTE', p); }\n"
                   "  catch (e) { console.log('denied', p, e.code); }\n}\n",
                   cpp_main("#include <cstdio>\n#include <fstream>\n",
                            "  for (const char *p : {\"" + targets[0] + "\", \"" + targets[1] + "\", \"" +
                                targets[2] + "\"}) {\n"
                                "    std::ofstream f(p);\n    f << 'x' << std::flush;\n"
                                "    std::printf(\"%s %s\\n\", f.good() ? \"WROTE\" : \"denied\", p);\n  }\n")));
  for (const auto &t : targets) {
    EXPECT_FALSE(std::filesystem::exists(t)) << t << "\n" << o.attack_out;
    std::filesystem::remove(t);
  }
}

// /tmp is the worker's own: what a unit writes there is not on the host.
TEST_P(Attack, ScratchIsPrivate) {
  std::string path = "/tmp/" + random_token("sx_redteam_tmp_");
  Outcome o = run(pick("open('" + path + "', 'w').write('x')\nprint(open('" + path + "').read())\n",
                   "require('fs').writeFileSync('" + path + "', 'x');\n"
                   "console.log(require('fs').readFileSync('" + path + "', 'utf8'));\n",
                   cpp_main("#include <cstdio>\n#include <fstream>\n",
                            "  { std::ofstream f(\"" + path + "\"); f << 'x'; }\n"
                            "  std::ifstream g(\"" + path + "\");\n  std::printf(\"%c\\n\", g.get());\n")));
  EXPECT_EQ(o.attack_out, "x\n") << "the scratch directory is not writable";
  EXPECT_FALSE(std::filesystem::exists(path)) << path << " appeared on the host";
  std::filesystem::remove(path);
}

// A service the host listens on at 127.0.0.1 is out of reach.
TEST_P(Attack, LoopbackConnect) {
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(ls, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(ls, reinterpret_cast<sockaddr *>(&a), sizeof a), 0);
  ASSERT_EQ(listen(ls, 8), 0);
  socklen_t len = sizeof a;
  getsockname(ls, reinterpret_cast<sockaddr *>(&a), &len);
  std::string port = std::to_string(ntohs(a.sin_port));
  Outcome o = run(pick("import socket\ntry:\n    socket.create_connection(('127.0.0.1', " + port +
                       "), timeout=3); print('CONNECTED')\nexcept OSError as e: print('refused', e)\n",
                   "const s = require('net').connect(" + port + ", '127.0.0.1');\n"
                   "s.on('connect', () => { console.log('CONNECTED'); s.destroy(); });\n"
                   "s.on('error', (e) => console.log('refused', e.code));\n",
                   cpp_main("#include <cstdio>\n#include <arpa/inet.h>\n#include <sys/socket.h>\n"
                            "#include <unistd.h>\n",
                            "  int s = socket(AF_INET, SOCK_STREAM, 0);\n  sockaddr_in a{};\n"
                            "  a.sin_family = AF_INET;\n  a.sin_port = htons(" + port + ");\n"
                            "  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);\n"
                            "  int r = connect(s, (sockaddr *)&a, sizeof a);\n"
                            "  std::printf(\"%s\\n\", r == 0 ? \"CONNECTED\" : \"refused\");\n  close(s);\n")));
  pollfd p{ls, POLLIN, 0};
  EXPECT_EQ(poll(&p, 1, 0), 0) << "the host's listener got a connection: " << o.attack_out;
  EXPECT_EQ(o.attack_out.find("CONNECTED"), std::string::npos) << o.attack_out;
  close(ls);
}

// The kernel's attack surface: new namespaces, mount, bpf, perf, keyrings,
// io_uring, userfaultfd all fail.
TEST_P(Attack, DangerousSyscalls) {
  if (L().lang == SX_LANG_JAVASCRIPT) GTEST_SKIP() << "JavaScript cannot make system calls";
  // name, number (x86_64), arguments
  const char *calls =
      "[('unshare(CLONE_NEWUSER)', 272, (0x10000000,)), ('mount', 165, (0, 0, 0, 0, 0)),"
      " ('bpf', 321, (0, 0, 0)), ('perf_event_open', 298, (0, 0, -1, -1, 0)),"
      " ('keyctl', 250, (0, 0, 0)), ('io_uring_setup', 425, (1, 0)), ('userfaultfd', 323, (0,)),"
      " ('setns', 308, (0, 0))]";
  Outcome o = run(pick(std::string("import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\nfor name, nr, args in ") +
                       calls + ":\n    args = [ctypes.c_long(a) for a in args]\n"
                               "    r = libc.syscall(nr, *args)\n    print(name, r, ctypes.get_errno())\n",
                   "",
                   cpp_main("#include <cstdio>\n#include <cerrno>\n#include <sched.h>\n#include <sys/syscall.h>\n"
                            "#include <unistd.h>\n",
                            "  struct { const char *name; long r; } c[] = {\n"
                            "    {\"unshare(CLONE_NEWUSER)\", syscall(SYS_unshare, CLONE_NEWUSER)},\n"
                            "    {\"mount\", syscall(SYS_mount, 0, 0, 0, 0, 0)},\n"
                            "    {\"bpf\", syscall(SYS_bpf, 0, 0, 0)},\n"
                            "    {\"perf_event_open\", syscall(SYS_perf_event_open, 0, 0, -1, -1, 0)},\n"
                            "    {\"keyctl\", syscall(SYS_keyctl, 0, 0, 0)},\n"
                            "    {\"io_uring_setup\", syscall(SYS_io_uring_setup, 1, 0)},\n"
                            "    {\"userfaultfd\", syscall(SYS_userfaultfd, 0)},\n"
                            "    {\"setns\", syscall(SYS_setns, 0, 0)}};\n"
                            "  for (auto &x : c) std::printf(\"%s %ld 0\\n\", x.name, x.r);\n")));
  std::istringstream lines(o.attack_out);
  int n = 0;
  for (std::string name; lines >> name;) {
    long r = 0, err = 0;
    lines >> r >> err;
    ++n;
    EXPECT_EQ(r, -1) << name << " worked";
  }
  EXPECT_EQ(n, 8) << o.attack_out;
}

// No capability, not even in the bounding set; no_new_privs; the filter.
TEST_P(Attack, NoCapabilities) {
  Outcome o = run(pick("print(''.join(l for l in open('/proc/self/status') if l.startswith(('Cap', 'NoNew'))))\n",
                   "console.log(require('fs').readFileSync('/proc/self/status', 'utf8').split('\\n')"
                   ".filter(l => /^(Cap|NoNew)/.test(l)).join('\\n'));\n",
                   cpp_main("#include <cstdio>\n#include <fstream>\n#include <string>\n",
                            "  std::ifstream f(\"/proc/self/status\");\n"
                            "  for (std::string l; std::getline(f, l);)\n"
                            "    if (l.rfind(\"Cap\", 0) == 0 || l.rfind(\"NoNew\", 0) == 0) std::printf(\"%s\\n\", "
                            "l.c_str());\n")));
  for (const char *field : {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"}) {
    auto at = o.attack_out.find(std::string(field) + ":");
    ASSERT_NE(at, std::string::npos) << o.attack_out;
    EXPECT_EQ(std::stoull(o.attack_out.substr(at + 7), nullptr, 16), 0u) << field << "\n" << o.attack_out;
  }
}

TEST_P(Attack, NoNewPrivs) {
  Outcome o = run(pick("print([l for l in open('/proc/self/status') if l.startswith('NoNewPrivs')][0])\n",
                   "console.log(require('fs').readFileSync('/proc/self/status', 'utf8').match(/NoNewPrivs:.*/)[0]);\n",
                   cpp_main("#include <cstdio>\n#include <sys/prctl.h>\n",
                            "  std::printf(\"NoNewPrivs:\\t%d\\n\", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));\n")));
  EXPECT_NE(o.attack_out.find("NoNewPrivs:\t1"), std::string::npos) << o.attack_out;
}

// A unit that loops does not take the CPU from the host: it runs at nice 10
// and cannot raise its priority back (no CAP_SYS_NICE, RLIMIT_NICE 0).
TEST_P(Attack, RaisePriority) {
  Outcome o =
      run(pick("import os\ntry:\n    os.setpriority(os.PRIO_PROCESS, 0, -5)\nexcept OSError:\n    pass\n"
               "print('nice', os.getpriority(os.PRIO_PROCESS, 0))\n",
               "const os = require('os');\ntry { os.setPriority(-5); } catch (e) {}\n"
               "console.log('nice', os.getPriority());\n",
               cpp_main("#include <cstdio>\n#include <sys/resource.h>\n",
                        "  setpriority(PRIO_PROCESS, 0, -5);\n"
                        "  std::printf(\"nice %d\\n\", getpriority(PRIO_PROCESS, 0));\n")));
  EXPECT_EQ(o.attack_out, "nice 10\n");
}

// ---------------------------------------------------------------- bad input

// NUL bytes in a unit: Python's SyntaxError at the NUL's line (as CPython
// says of such a file); node and clang accept them, as natively.
TEST_P(Attack, NulBytes) {
  static const char py[] = "x = 1\ny = 'a\0b'\n";
  static const char js[] = "let x = 1;\nconsole.log('a\0b'.length);\n";
  static const char cpp[] = "#include <cstdio>\nint main() { std::printf(\"%zu\\n\", sizeof(\"a\0b\")); }\n";
  Outcome o = run(pick(std::string(py, sizeof py - 1), std::string(js, sizeof js - 1), std::string(cpp, sizeof cpp - 1)));
  if (L().lang == SX_LANG_PYTHON) {
    json d = o.r.done_of(1);
    EXPECT_EQ(d["status"], "syntax_error") << d.dump();
    EXPECT_EQ(d["error"]["type"], "SyntaxError") << d.dump();
    EXPECT_EQ(d["error"]["line"], 3) << d.dump();  // answer line 3 (line 1 is the fence)
  } else {
    EXPECT_EQ(o.attack_out, L().lang == SX_LANG_JAVASCRIPT ? "3\n" : "4\n");
  }
}

// ----------------------------------------------------- what is allowed stays

// --allow-write: the directory is writable, and what the units write there
// belongs to the directory's owner.
TEST_P(Attack, AllowWriteDirectory) {
  std::string dir = (std::filesystem::temp_directory_path() / random_token("sx_allow_write_")).string();
  std::filesystem::create_directory(dir);
  const char *dirs[] = {dir.c_str(), nullptr};
  sx_options opt = sxt::default_options();
  opt.allow_write = dirs;
  Outcome o = run(pick("open('" + dir + "/out.txt', 'w').write('written')\n",
                   "require('fs').writeFileSync('" + dir + "/out.txt', 'written');\n",
                   cpp_main("#include <fstream>\n", "  std::ofstream(\"" + dir + "/out.txt\") << \"written\";\n")),
              opt);
  std::ifstream f(dir + "/out.txt");
  std::string got((std::istreambuf_iterator<char>(f)), {});
  EXPECT_EQ(got, "written") << o.r.done().front().dump();
  struct stat st {};
  stat((dir + "/out.txt").c_str(), &st);
  EXPECT_EQ(st.st_uid, getuid()) << "the file belongs to the directory's owner";
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Security, Attack, ::testing::Values(kPy, kJs, kCpp),
                         [](const auto &info) { return std::string(info.param.name); });

}  // namespace

int main(int argc, char **argv) {
  const char *key = getenv("OPENAI_API_KEY");
  if (!key || std::string(key).rfind(kKeyPrefix, 0) != 0) {
    setenv("OPENAI_API_KEY", random_token(kKeyPrefix).c_str(), 1);
    execv("/proc/self/exe", argv);
    perror("security_test: re-exec with the key in the environment");
    return 2;
  }
  kApiKey = key;
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
