#include <string>
#include <vector>
#include <stdexcept>
#include <iostream>

class Account {
 public:
  explicit Account(std::string owner) : owner_(std::move(owner)) {}
  void deposit(long amount) {
    if (amount <= 0) throw std::invalid_argument("deposit must be positive");
    balance_ += amount;
    history_.push_back(amount);
  }
  void withdraw(long amount) {
    if (amount > balance_) throw std::runtime_error("insufficient funds");
    balance_ -= amount;
    history_.push_back(-amount);
  }
  long balance() const { return balance_; }
  const std::string &owner() const { return owner_; }

 private:
  std::string owner_;
  long balance_ = 0;
  std::vector<long> history_;
};

Account acct("grace");
acct.deposit(1'000);
acct.withdraw(250);
try {
  acct.withdraw(10'000);
} catch (const std::runtime_error &e) {
  std::cout << "error: " << e.what() << "\n";
}
std::cout << acct.owner() << " has " << acct.balance() << "\n";
