#include <filesystem>
#include <fstream>
#include <iostream>

namespace fs = std::filesystem;

fs::path dir = fs::temp_directory_path() / "sx_corpus_096";
fs::create_directories(dir);
for (int i = 0; i < 3; ++i) {
  std::ofstream(dir / ("file" + std::to_string(i) + ".txt")) << "data " << i;
}
std::size_t n = 0;
for (const auto &entry : fs::directory_iterator(dir))
  if (entry.is_regular_file()) ++n;
std::cout << n << " files in " << dir.filename() << "\n";
fs::remove_all(dir);
