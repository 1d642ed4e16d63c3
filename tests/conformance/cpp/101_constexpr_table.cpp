#include <array>
#include <cstdio>

constexpr std::array<unsigned, 256> make_crc_table() {
  std::array<unsigned, 256> t{};
  for (unsigned i = 0; i < 256; ++i) {
    unsigned c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[i] = c;
  }
  return t;
}

constexpr auto crc_table = make_crc_table();

unsigned crc32(const char *s) {
  unsigned c = 0xFFFFFFFFu;
  while (*s) c = crc_table[(c ^ static_cast<unsigned char>(*s++)) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::printf("%08x\n", crc32("123456789"));
