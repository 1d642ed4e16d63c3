#include <cstdint>
#include <cstdio>

struct alignas(64) CacheLine {
    std::uint64_t words[8];
};

struct __attribute__((packed)) Packed {
    char tag;
    int value;
};

int twice(int x) __attribute__((noinline));
int twice(int x) { return 2 * x; }

int main() {
    CacheLine line{};
    std::printf("alignof(CacheLine) = %zu, aligned = %d\n", alignof(CacheLine),
                static_cast<int>(reinterpret_cast<std::uintptr_t>(&line) % 64 == 0));
    std::printf("sizeof(Packed) = %zu\n", sizeof(Packed));
    std::printf("twice(21) = %d\n", twice(21));
}
