#include <string>
#include <cstdio>

enum class State { Idle, Running, Done };

struct Machine {
  State s = State::Idle;
  int ticks = 0;
  void on(const std::string &ev) {
    switch (s) {
      case State::Idle:
        if (ev == "start") s = State::Running;
        break;
      case State::Running:
        if (ev == "tick") {
          if (++ticks >= 3) s = State::Done;
        } else if (ev == "stop") {
          s = State::Done;
        }
        break;
      case State::Done:
        break;
    }
  }
};

Machine m;
for (const char *ev : {"tick", "start", "tick", "tick", "tick", "tick"}) m.on(ev);
std::printf("state=%d ticks=%d\n", static_cast<int>(m.s), m.ticks);
