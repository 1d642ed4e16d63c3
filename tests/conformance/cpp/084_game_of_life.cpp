#include <array>
#include <cstdio>

constexpr int W = 8, H = 6;
using Board = std::array<std::array<bool, W>, H>;

Board step(const Board &b) {
  Board n{};
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      int c = 0;
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) {
          if (!dy && !dx) continue;
          int yy = (y + dy + H) % H, xx = (x + dx + W) % W;
          c += b[yy][xx];
        }
      n[y][x] = b[y][x] ? (c == 2 || c == 3) : c == 3;
    }
  return n;
}

Board board{};
board[1][2] = board[2][3] = board[3][1] = board[3][2] = board[3][3] = true;
for (int gen = 0; gen < 4; ++gen) board = step(board);
for (const auto &row : board) {
  for (bool cell : row) std::putchar(cell ? '#' : '.');
  std::putchar('\n');
}
