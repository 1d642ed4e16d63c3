#include <string>
#include <sstream>
#include <vector>
#include <algorithm>
#include <cctype>
#include <iostream>

std::string text = "The quick brown fox; jumps over { the } lazy dog";
std::vector<std::string> words;
{
  std::istringstream in(text);
  std::string w;
  while (in >> w) words.push_back(w);
}
std::string upper = text;
std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
auto longest = *std::max_element(words.begin(), words.end(),
                                 [](const std::string &a, const std::string &b) { return a.size() < b.size(); });
std::cout << words.size() << " words, longest: " << longest << "\n" << upper << "\n";
