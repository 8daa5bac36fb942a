#include "atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <system_error>

namespace orrery::security {

namespace {

// Appended piecewise: g++ 12 at -O3 warns (-Wrestrict) on the chained operator+ form.
std::string tempName(const std::filesystem::path& target) {
  std::string name = ".";
  name.append(target.filename().string()).append(".XXXXXX");
  return (target.parent_path() / name).string();
}

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path) {
  throw std::system_error(errno, std::generic_category(), what + " " + path.string());
}

// Closes the descriptor and removes the temporary file unless the write succeeded.
class TempFile {
 public:
  explicit TempFile(const std::filesystem::path& target)
      : path_(tempName(target)) {
    fd_ = ::mkstemp(path_.data());
    if (fd_ < 0) fail("cannot create a temporary file beside", target);
  }
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  void closeFile(const std::filesystem::path& target) {
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail("cannot write", target);
  }
  void commit() { committed_ = true; }

 private:
  std::string path_;
  int fd_ = -1;
  bool committed_ = false;
};

void writeAll(int fd, std::string_view content, const std::filesystem::path& target) {
  while (!content.empty()) {
    const auto written = ::write(fd, content.data(), content.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      fail("cannot write", target);
    }
    content.remove_prefix(static_cast<std::size_t>(written));
  }
}

// Makes the rename itself durable: without it a crash may bring back the old file.
void syncFolder(const std::filesystem::path& folder) {
  const int fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // best effort: the data itself is already on disk
  ::fsync(fd);
  ::close(fd);
}

// Like create_directories, but new folders get mode 0700; existing ones are left alone
// (tightening an operator's folder is not this function's business).
void createFolders(const std::filesystem::path& folder) {
  if (folder.empty()) return;
  std::error_code ec;
  if (std::filesystem::is_directory(folder, ec)) return;
  if (folder.has_relative_path() && folder.parent_path() != folder) createFolders(folder.parent_path());
  if (::mkdir(folder.c_str(), 0700) != 0 && errno != EEXIST) fail("cannot create folder", folder);
}

}  // namespace

std::optional<std::string> readFileIfExists(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec) && !ec) return std::nullopt;
    fail("cannot read", path);
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) fail("cannot read", path);
  return std::move(content).str();
}

void writeFileAtomically(const std::filesystem::path& path, std::string_view content, mode_t mode) {
  const auto folder = path.parent_path();
  createFolders(folder);
  TempFile temp(path);
  if (::fchmod(temp.fd(), mode) != 0) fail("cannot set the mode of", temp.path());
  writeAll(temp.fd(), content, path);
  if (::fsync(temp.fd()) != 0) fail("cannot write", path);
  temp.closeFile(path);
  if (::rename(temp.path().c_str(), path.c_str()) != 0) fail("cannot replace", path);
  temp.commit();
  syncFolder(folder);
}

}  // namespace orrery::security
