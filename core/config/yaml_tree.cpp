#include "core/config/yaml_tree.hpp"

#include "core/config/scalar.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <cerrno>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <system_error>
#include <utility>
#include <vector>

namespace orrery::config {
namespace {

constexpr std::string_view kCoreTagPrefix = "tag:yaml.org,2002:";

// Builds the JSON directly from parser events rather than through YAML::Node: the events
// carry the position of every key (for duplicate-key errors), let us stop at the depth
// limit before yaml-cpp recurses further, and let us count alias expansions before copying.
class JsonBuilder final : public YAML::EventHandler {
 public:
  JsonBuilder(const std::string& source, const YamlLimits& limits) : source_(source), limits_(limits) {}

  nlohmann::json take() { return std::move(root_); }
  void rejectFurtherDocuments() { rejectDocuments_ = true; }

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (rejectDocuments_) fail(mark, "only one YAML document is allowed, found a second one");
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (expectingKey()) fail(mark, "a mapping key is empty");
    countNodes(mark, 1);
    complete(mark, nullptr, anchor, 1);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (expectingKey()) fail(mark, "an alias cannot be a mapping key");
    const auto it = anchors_.find(anchor);
    if (it == anchors_.end()) fail(mark, "an alias refers to the node that contains it");
    countNodes(mark, it->second.nodes);
    complete(mark, it->second.value, YAML::NullAnchor, it->second.nodes);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    countNodes(mark, 1);
    if (expectingKey()) {
      acceptKey(mark, value);
      if (anchor != YAML::NullAnchor) anchors_[anchor] = Anchored{value, 1};
      return;
    }
    complete(mark, resolveScalar(mark, tag, value), anchor, 1);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, tag, anchor, false);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, tag, anchor, true);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Frame {
    nlohmann::json value;
    bool isMap = false;
    YAML::Mark mark;
    YAML::anchor_t anchor = YAML::NullAnchor;
    std::size_t nodesAtStart = 0;
    std::optional<std::string> pendingKey;
    std::map<std::string, int> keyLines;  // 1-based line of each key, for duplicate errors
  };
  struct Anchored {
    nlohmann::json value;
    std::size_t nodes = 0;
  };

  [[noreturn]] void fail(const YAML::Mark& mark, std::string problem) const {
    if (mark.is_null()) throw ConfigFileError(source_, std::move(problem));
    throw ConfigFileError(source_, mark.line + 1, mark.column + 1, std::move(problem));
  }

  bool expectingKey() const { return !stack_.empty() && stack_.back().isMap && !stack_.back().pendingKey; }

  void countNodes(const YAML::Mark& mark, std::size_t n) {
    if (n > limits_.maxNodes - nodes_) {
      fail(mark, "the document expands to more than " + std::to_string(limits_.maxNodes) +
                     " values (aliases included); refusing to expand it");
    }
    nodes_ += n;
  }

  void acceptKey(const YAML::Mark& mark, const std::string& key) {
    auto& frame = stack_.back();
    const auto [it, inserted] = frame.keyLines.emplace(key, mark.line + 1);
    if (!inserted) {
      fail(mark, "duplicate key '" + key + "' (first defined on line " + std::to_string(it->second) + ")");
    }
    frame.pendingKey = key;
  }

  nlohmann::json resolveScalar(const YAML::Mark& mark, const std::string& tag, const std::string& value) const {
    if (tag == "?") return resolvePlainScalar(value);
    if (tag == "!") return value;
    if (!tag.starts_with(kCoreTagPrefix)) fail(mark, "unsupported tag '" + tag + "'");
    const auto type = std::string_view(tag).substr(kCoreTagPrefix.size());
    if (type == "str") return value;
    auto resolved = resolvePlainScalar(value);
    const bool fits = (type == "null" && resolved.is_null()) || (type == "bool" && resolved.is_boolean()) ||
                      (type == "int" && resolved.is_number_integer()) ||
                      (type == "float" && resolved.is_number());
    if (type != "null" && type != "bool" && type != "int" && type != "float") {
      fail(mark, "unsupported tag '!!" + std::string(type) + "' on a scalar");
    }
    if (!fits) fail(mark, "'" + value + "' is not a valid !!" + std::string(type));
    if (type == "float") return resolved.get<double>();
    return resolved;
  }

  void open(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor, bool isMap) {
    if (expectingKey()) fail(mark, std::string("a mapping key must be a scalar, not a ") + (isMap ? "map" : "list"));
    const std::string_view expected = isMap ? "map" : "seq";
    if (tag != "?" && tag != "!" && tag != std::string(kCoreTagPrefix) + std::string(expected)) {
      fail(mark, "unsupported tag '" + tag + "' on a " + (isMap ? "map" : "list"));
    }
    if (stack_.size() >= limits_.maxDepth) {
      fail(mark, "maps and lists are nested deeper than " + std::to_string(limits_.maxDepth) + " levels");
    }
    countNodes(mark, 1);
    Frame frame;
    frame.value = isMap ? nlohmann::json::object() : nlohmann::json::array();
    frame.isMap = isMap;
    frame.mark = mark;
    frame.anchor = anchor;
    frame.nodesAtStart = nodes_ - 1;
    stack_.push_back(std::move(frame));
  }

  void close() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    complete(frame.mark, std::move(frame.value), frame.anchor, nodes_ - frame.nodesAtStart);
  }

  void complete(const YAML::Mark& mark, nlohmann::json value, YAML::anchor_t anchor, std::size_t nodes) {
    if (anchor != YAML::NullAnchor) anchors_[anchor] = Anchored{value, nodes};
    if (stack_.empty()) {
      root_ = std::move(value);
      return;
    }
    auto& parent = stack_.back();
    if (!parent.isMap) {
      parent.value.push_back(std::move(value));
      return;
    }
    if (!parent.pendingKey) fail(mark, "a mapping value has no key");
    parent.value[*parent.pendingKey] = std::move(value);
    parent.pendingKey.reset();
  }

  const std::string& source_;
  const YamlLimits& limits_;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, Anchored> anchors_;
  std::size_t nodes_ = 0;
  nlohmann::json root_;
  bool rejectDocuments_ = false;
};

std::string systemReason(int error) { return std::error_code(error, std::generic_category()).message(); }

}  // namespace

nlohmann::json parseYaml(std::string_view text, const std::string& source, const YamlLimits& limits) {
  std::istringstream in{std::string(text)};
  JsonBuilder builder(source, limits);
  try {
    YAML::Parser parser(in);
    parser.HandleNextDocument(builder);
    builder.rejectFurtherDocuments();
    parser.HandleNextDocument(builder);
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) throw ConfigFileError(source, e.msg);
    throw ConfigFileError(source, e.mark.line + 1, e.mark.column + 1, e.msg);
  }
  return builder.take();
}

nlohmann::json loadYamlFile(const std::filesystem::path& file, const YamlLimits& limits) {
  const std::string source = file.string();
  errno = 0;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> handle(std::fopen(source.c_str(), "rb"), &std::fclose);
  if (!handle) throw ConfigFileError(source, "cannot open: " + systemReason(errno));
  std::string text;
  char buffer[8192];
  while (true) {
    const std::size_t n = std::fread(buffer, 1, sizeof buffer, handle.get());
    text.append(buffer, n);
    if (text.size() > limits.maxFileBytes) {
      throw ConfigFileError(source, "file is larger than " + std::to_string(limits.maxFileBytes) + " bytes");
    }
    if (n < sizeof buffer) break;
  }
  if (std::ferror(handle.get())) throw ConfigFileError(source, "cannot read: " + systemReason(errno));
  return parseYaml(text, source, limits);
}

}  // namespace orrery::config
