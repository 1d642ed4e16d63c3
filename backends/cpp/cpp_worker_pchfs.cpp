// The precompiled headers as Clang's file system sees them in the sandbox:
// files opened before it (the sandbox hides the build tree, /tmp and home
// directories), served from their descriptors at fixed names, over the real
// file system for everything else.
//
// Not llvm::vfs::InMemoryFileSystem: its addFile() hashes the whole buffer
// for the file's unique ID (LLVM 19, NewInMemoryNodeInfo::makeStatus): all
// 33 MB of the two PCHs read page by page just to be hashed, 15-20 ms of a
// cold start here (streamexec-bench --first-result). Here a file is mapped
// when Clang opens it, and Clang reads only the parts of the AST it needs.
#include "backends/cpp/cpp_worker_internal.h"

#include <sys/stat.h>

#include <system_error>

#include <llvm/Support/Chrono.h>
#include <llvm/Support/ErrorOr.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/VirtualFileSystem.h>

namespace sx::cppworker {
namespace {

struct FdEntry {
  std::string name;  // absolute path Clang asks for
  int fd;
  llvm::vfs::Status status;
};

class FdFile final : public llvm::vfs::File {
 public:
  explicit FdFile(const FdEntry &e) : e_(e) {}
  llvm::ErrorOr<llvm::vfs::Status> status() override { return e_.status; }
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> getBuffer(const llvm::Twine &name, int64_t file_size,
                                                               bool requires_null_terminator,
                                                               bool is_volatile) override {
    (void)file_size;
    return llvm::MemoryBuffer::getOpenFile(llvm::sys::fs::convertFDToNativeFile(e_.fd), name, e_.status.getSize(),
                                           requires_null_terminator, is_volatile);
  }
  std::error_code close() override { return {}; }  // the descriptor lives as long as the worker

 private:
  const FdEntry &e_;
};

class FdFileSystem final : public llvm::vfs::FileSystem {
 public:
  void add(const std::string &name, int fd) {
    struct stat st;
    if (fstat(fd, &st) != 0) return;
    // A fixed unique ID per entry (no other file of this file system has
    // device 0x5358 — "SX").
    llvm::sys::fs::UniqueID id(0x5358, files_.size() + 1);
    files_.push_back({name, fd,
                      llvm::vfs::Status(name, id, llvm::sys::toTimePoint(st.st_mtime), st.st_uid, st.st_gid,
                                        static_cast<uint64_t>(st.st_size), llvm::sys::fs::file_type::regular_file,
                                        llvm::sys::fs::perms::owner_read)});
  }

  llvm::ErrorOr<llvm::vfs::Status> status(const llvm::Twine &path) override {
    if (const FdEntry *e = find(path)) return e->status;
    // Their directory (Clang's FileManager looks a file's directory up first).
    llvm::SmallString<256> storage;
    llvm::StringRef p = path.toStringRef(storage);
    for (const auto &e : files_) {
      if (llvm::sys::path::parent_path(e.name) == p)
        return llvm::vfs::Status(p, llvm::sys::fs::UniqueID(0x5358, 0), e.status.getLastModificationTime(), 0, 0, 0,
                                 llvm::sys::fs::file_type::directory_file, llvm::sys::fs::perms::owner_all);
    }
    return std::make_error_code(std::errc::no_such_file_or_directory);
  }
  llvm::ErrorOr<std::unique_ptr<llvm::vfs::File>> openFileForRead(const llvm::Twine &path) override {
    if (const FdEntry *e = find(path)) return std::unique_ptr<llvm::vfs::File>(new FdFile(*e));
    return std::make_error_code(std::errc::no_such_file_or_directory);
  }
  llvm::vfs::directory_iterator dir_begin(const llvm::Twine &, std::error_code &ec) override {
    ec = std::make_error_code(std::errc::no_such_file_or_directory);
    return {};
  }
  std::error_code setCurrentWorkingDirectory(const llvm::Twine &path) override {
    cwd_ = path.str();
    return {};
  }
  llvm::ErrorOr<std::string> getCurrentWorkingDirectory() const override { return cwd_; }

 private:
  const FdEntry *find(const llvm::Twine &path) const {
    llvm::SmallString<256> storage;
    llvm::StringRef p = path.toStringRef(storage);
    for (const auto &e : files_)
      if (p == e.name) return &e;
    return nullptr;
  }
  std::vector<FdEntry> files_;  // filled before Clang uses it, never resized after
  std::string cwd_ = "/";
};

}  // namespace

llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> file_system_with(
    const std::vector<std::pair<std::string, int>> &files) {
  llvm::IntrusiveRefCntPtr<FdFileSystem> fds(new FdFileSystem);
  for (const auto &[name, fd] : files)
    if (fd >= 0) fds->add(name, fd);
  llvm::IntrusiveRefCntPtr<llvm::vfs::OverlayFileSystem> overlay(
      new llvm::vfs::OverlayFileSystem(llvm::vfs::getRealFileSystem()));
  overlay->pushOverlay(fds);
  return overlay;
}

}  // namespace sx::cppworker
