#include <cstddef>
#include <stdexcept>

template <typename T, std::size_t N>
class FixedStack {
 public:
  void push(const T &v) {
    if (size_ == N) throw std::overflow_error("full");
    data_[size_++] = v;
  }
  T pop() { return data_[--size_]; }
  std::size_t size() const { return size_; }

 private:
  T data_[N]{};
  std::size_t size_ = 0;
};

FixedStack<int, 4> st;
st.push(1);
st.push(2);
int top = st.pop();
