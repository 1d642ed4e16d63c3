#include <memory>
#include <string>
#include <map>
#include <functional>
#include <iostream>

struct Logger {
  virtual ~Logger() = default;
  virtual void log(const std::string &msg) = 0;
};

struct ConsoleLogger : Logger {
  void log(const std::string &msg) override { std::cout << "[console] " << msg << "\n"; }
};

struct NullLogger : Logger {
  void log(const std::string &) override {}
};

std::map<std::string, std::function<std::unique_ptr<Logger>()>> factories{
    {"console", [] { return std::make_unique<ConsoleLogger>(); }},
    {"null", [] { return std::make_unique<NullLogger>(); }},
};

auto logger = factories.at("console")();
logger->log("ready");
