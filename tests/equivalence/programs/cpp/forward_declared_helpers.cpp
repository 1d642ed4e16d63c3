#include <cstdio>

int gcd(int a, int b);
bool is_prime(int n);

int main() {
    std::printf("gcd(84, 36) = %d\n", gcd(84, 36));
    for (int i = 2; i < 20; ++i)
        if (is_prime(i)) std::printf("%d ", i);
    std::printf("\n");
}

int gcd(int a, int b) { return b == 0 ? a : gcd(b, a % b); }

bool is_prime(int n) {
    for (int d = 2; d * d <= n; ++d)
        if (n % d == 0) return false;
    return n > 1;
}
