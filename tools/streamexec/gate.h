// The CLI's gate (--hold, --skip, --hold-unsafe): which closed units run now,
// after the answer is complete, or never. A convenience against accidents,
// not a security boundary (README "Security": the sandbox is).
#ifndef STREAMEXEC_TOOLS_GATE_H
#define STREAMEXEC_TOOLS_GATE_H

#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "streamexec.h"

namespace sx::cli {

struct GateRules {
  std::vector<std::pair<std::regex, std::string>> hold, skip;  // (pattern, its text)
  bool hold_unsafe = false;
  std::string reason;  // storage for the last reason handed to the library
  bool empty() const { return hold.empty() && skip.empty() && !hold_unsafe; }
};

// True if a unit's use (a name it reads or a dotted call target, from the
// IR) deletes files, starts processes or opens connections.
bool unsafe_use(const std::string &use);

// sx_gate_fn over GateRules (user = GateRules *).
sx_gate_decision gate_fn(void *user, const sx_unit_info *unit, const char **reason);

}  // namespace sx::cli

#endif
