#include "engine.hpp"

#include <algorithm>
#include <set>

#include "errors.hpp"

namespace orrery::data {

bool wildcardMatch(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

void validateIndexName(const std::string& name) {
  const auto bad = [&](const std::string& why) {
    return EngineError(400, "invalid_index_name_exception", "Invalid index name [" + name + "], " + why,
                       {{"index_uuid", "_na_"}, {"index", name}});
  };
  if (name.empty()) throw bad("must not be empty");
  if (name.size() > 255) throw bad("index name is too long, (" + std::to_string(name.size()) + " > 255)");
  if (name == "." || name == "..") throw bad("must not be '.' or '..'");
  if (name.front() == '_' || name.front() == '-' || name.front() == '+') throw bad("must not start with '_', '-', or '+'");
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') throw bad("must be lowercase");
    if (std::string_view("\\/*?\"<>| ,#:").find(c) != std::string_view::npos) {
      throw bad("must not contain the following characters [ , \", *, \\, <, |, ,, >, /, ?, #, :]");
    }
  }
}

Engine::Engine(std::filesystem::path root) : root_(std::move(root)) {}

std::unique_lock<std::mutex> Engine::opened() const {
  std::unique_lock lock(mutex_);
  if (open_) return lock;
  // On first use, not in the constructor: the data plugin builds the engine in setup(),
  // which must not stall the host, while every use runs on the blocking pool. A failure
  // is the failing request's error, and the next use tries again.
  std::filesystem::create_directories(root_);
  std::map<std::string, std::shared_ptr<Index>> found;
  for (const auto& entry : std::filesystem::directory_iterator(root_)) {
    if (!entry.is_directory() || !std::filesystem::exists(entry.path() / "shard-0.sqlite")) continue;
    const auto name = entry.path().filename().string();
    found[name] = Index::open(entry.path(), name);
  }
  indices_ = std::move(found);
  open_ = true;
  return lock;
}

std::shared_ptr<Index> Engine::createIndex(const std::string& name, const nlohmann::json& body) {
  validateIndexName(name);
  nlohmann::json settings, mappings;
  if (body.is_object()) {
    for (const auto& [key, value] : body.items()) {
      if (key == "settings") settings = value;
      else if (key == "mappings") mappings = value;
      else if (key == "aliases") continue;
      else throw EngineError(400, "parse_exception", "unknown key [" + key + "] for create index");
    }
  } else if (!body.is_null()) {
    throw EngineError(400, "parse_exception", "request body must be an object");
  }
  auto lock = opened();
  if (auto it = indices_.find(name); it != indices_.end()) {
    throw EngineError(400, "resource_already_exists_exception",
                      "index [" + name + "/" + it->second->settings().uuid + "] already exists",
                      {{"index_uuid", it->second->settings().uuid}, {"index", name}});
  }
  const auto dir = root_ / name;
  if (std::filesystem::exists(dir)) std::filesystem::remove_all(dir);  // leftovers of a failed creation
  try {
    auto index = Index::create(dir, name, settings, mappings);
    indices_[name] = index;
    return index;
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
    throw;
  }
}

std::shared_ptr<Index> Engine::findIndex(const std::string& name) const {
  auto lock = opened();
  auto it = indices_.find(name);
  return it == indices_.end() ? nullptr : it->second;
}

std::shared_ptr<Index> Engine::index(const std::string& name) const {
  auto found = findIndex(name);
  if (!found) throw indexNotFound(name);
  return found;
}

std::shared_ptr<Index> Engine::indexForWrite(const std::string& name) {
  if (auto found = findIndex(name)) return found;
  try {
    return createIndex(name, nullptr);
  } catch (const EngineError& error) {
    if (error.type() != "resource_already_exists_exception") throw;
    return index(name);  // created concurrently
  }
}

void Engine::deleteIndex(const std::string& expression) {
  auto targets = resolve(expression);
  auto lock = opened();
  for (auto& index : targets) {
    index->markDeleted();
    indices_.erase(index->name());
  }
}

std::vector<std::shared_ptr<Index>> Engine::all() const {
  auto lock = opened();
  std::vector<std::shared_ptr<Index>> out;
  for (const auto& [name, index] : indices_) out.push_back(index);
  return out;
}

std::vector<std::shared_ptr<Index>> Engine::resolve(const std::string& expression, bool ignoreUnavailable) const {
  auto lock = opened();
  std::set<std::string> chosen;
  std::size_t start = 0;
  const std::string expr = expression.empty() ? "_all" : expression;
  while (start <= expr.size()) {
    auto comma = expr.find(',', start);
    if (comma == std::string::npos) comma = expr.size();
    std::string part = expr.substr(start, comma - start);
    start = comma + 1;
    if (part.empty()) continue;
    const bool exclude = part.front() == '-' && !chosen.empty();
    if (exclude) part = part.substr(1);
    if (part == "_all" || part == "*") part = "*";
    if (part.find('*') != std::string::npos) {
      for (const auto& [name, index] : indices_) {
        // Wildcards skip hidden (dot-prefixed) indices unless the pattern starts with a dot.
        if (name.front() == '.' && part.front() != '.') continue;
        if (wildcardMatch(part, name)) exclude ? (void)chosen.erase(name) : (void)chosen.insert(name);
      }
    } else if (exclude) {
      chosen.erase(part);
    } else if (indices_.count(part)) {
      chosen.insert(part);
    } else if (!ignoreUnavailable) {
      throw indexNotFound(part);
    }
    if (comma == expr.size()) break;
  }
  std::vector<std::shared_ptr<Index>> out;
  for (const auto& name : chosen) out.push_back(indices_.at(name));
  return out;
}

}  // namespace orrery::data
