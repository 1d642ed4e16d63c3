#include <string>
#include <iostream>

const std::string create_table = R"sql(
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL -- no ; here? yes; here
);
)sql";
const std::string tricky = R"delim()" ) )del" }")delim";
std::cout << create_table.size() << " " << tricky << "\n";
