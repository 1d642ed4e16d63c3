#include <bits/stdc++.h>
using namespace std;

typedef long long ll;
const int MAXN = 100;
int dp[MAXN + 1];

ll fib(int n) {
    static map<int, ll> memo;
    if (n < 2) return n;
    auto it = memo.find(n);
    if (it != memo.end()) return it->second;
    return memo[n] = fib(n - 1) + fib(n - 2);
}

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    dp[0] = 1;
    for (int c : {1, 5, 10, 25})
        for (int i = c; i <= MAXN; ++i) dp[i] += dp[i - c];
    cout << "ways(100) = " << dp[100] << "\n";
    cout << "fib(80) = " << fib(80) << "\n";
    vector<pair<int, string>> v = {{3, "c"}, {1, "a"}, {2, "b"}};
    sort(v.begin(), v.end());
    for (auto &[k, s] : v) cout << k << s << ' ';
    cout << '\n';
}
