#include <map>
#include <vector>
template <typename T, int N = (3 > 2)>
struct AdvBox { T v[N > 1 ? N : 1]; };
std::map<int, std::vector<std::vector<int>>> adv_m;
AdvBox<AdvBox<int, 2>, (4 >> 1)> adv_box{};
template <class T>
T adv_id(T t) { return t; }
template int adv_id<int>(int);
namespace adv_ns { inline namespace v1 { int if_ = 1, else_ = 2, try_ = 3; } }
extern "C" { int adv_c_fn(void) { return 0; } }
int adv_try() { try { throw 1; } catch (int) { return 1; } catch (...) { return 2; } }
auto adv_lambda = [](auto... xs) { return (xs + ... + 0); };
if (adv_ns::if_) adv_ns::else_ = 3; else adv_ns::try_ = 4;
for (int i = 0; i < 2; ++i) adv_m[i].push_back({i});
do adv_ns::try_--; while (adv_ns::try_ > 0);
enum class AdvE : int { A = (1 << 2), B = A > 1 };
using AdvAlias = decltype(adv_lambda(1, 2));
static_assert(sizeof(AdvBox<char, 3>) == 3, "box");
