#include <utility>
#include <vector>
#include <cstdio>

class Buffer {
 public:
  explicit Buffer(std::size_t n) : data_(new int[n]), size_(n) {}
  ~Buffer() { delete[] data_; }
  Buffer(const Buffer &o) : data_(new int[o.size_]), size_(o.size_) {
    for (std::size_t i = 0; i < size_; ++i) data_[i] = o.data_[i];
  }
  Buffer(Buffer &&o) noexcept : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  Buffer &operator=(Buffer o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    return *this;
  }
  std::size_t size() const { return size_; }

 private:
  int *data_;
  std::size_t size_;
};

std::vector<Buffer> bufs;
bufs.emplace_back(16);
bufs.push_back(Buffer(8));
Buffer moved = std::move(bufs[0]);
std::printf("%zu %zu\n", moved.size(), bufs[0].size());
