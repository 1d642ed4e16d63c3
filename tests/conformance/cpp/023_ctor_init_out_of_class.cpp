#include <string>
#include <utility>

class Person {
 public:
  Person(std::string name, int age);
  const std::string &name() const;
  int age() const { return age_; }
  Person &rename(std::string n);

 private:
  std::string name_;
  int age_;
};

Person::Person(std::string name, int age) : name_(std::move(name)), age_{age} {}

const std::string &Person::name() const { return name_; }

Person &Person::rename(std::string n) {
  name_ = std::move(n);
  return *this;
}

Person p("Ada", 36);
p.rename("Ada Lovelace");
