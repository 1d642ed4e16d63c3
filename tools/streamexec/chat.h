// `streamexec chat` (a live model's answer streamed into a session, with
// stop-and-repair) and `streamexec replay` (a recording fed again): flags
// and output; the client itself is the library's sx_chat / sx_replay.
#ifndef STREAMEXEC_TOOLS_CHAT_H
#define STREAMEXEC_TOOLS_CHAT_H

#include <string>

#include <CLI/CLI.hpp>

#include "tools/streamexec/options.h"

namespace sx::cli {

struct ChatArgs {
  std::string prompt = "-";
  std::string base_url, model, api_key_env = "OPENAI_API_KEY", system, record;
  int repair = 2;
  double temperature = -1;
  std::int64_t max_tokens = 0;
  double idle_timeout_s = 60, connect_timeout_s = 10;
  int max_retries = 3;
  bool json = false;
  std::string display_dir;
  ExecArgs exec;
};

struct ReplayArgs {
  std::string file;
  double speed = 1;
  double rate = -1;  // --rate 0: no waiting
  bool json = false;
  ExecArgs exec;
};

CLI::App *add_chat_command(CLI::App &app, ChatArgs &a);
CLI::App *add_replay_command(CLI::App &app, ReplayArgs &a);
int chat(const ChatArgs &a);
int replay(const ReplayArgs &a);

}  // namespace sx::cli

#endif
