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
  // which must not stall the host, while every use runs on the blocking pool. A folder
  // that cannot be listed is the request's error, and the next use tries again; one
  // index that does not open (a damaged or unreadable file) does not stop the others.
  std::filesystem::create_directories(root_);
  std::map<std::string, std::shared_ptr<Index>> found;
  std::map<std::string, std::string> broken;
  for (const auto& entry : std::filesystem::directory_iterator(root_)) {
    if (!entry.is_directory() || !std::filesystem::exists(entry.path() / "shard-0.sqlite")) continue;
    const auto name = entry.path().filename().string();
    try {
      found[name] = Index::open(entry.path(), name);
    } catch (const std::exception& error) {
      broken[name] = error.what();
    }
  }
  indices_ = std::move(found);
  broken_ = std::move(broken);
  open_ = true;
  if (brokenListener_) brokenListener_(broken_);
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
  // Its files are there: creating would replace them (the folder is cleared below).
  if (auto it = broken_.find(name); it != broken_.end()) throw indexUnavailable(name, it->second);
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
  if (auto bad = broken_.find(name); bad != broken_.end()) throw indexUnavailable(name, bad->second);
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
  // A broken index is deleted too: removing it is how an operator clears it.
  auto targets = names(expression, false);
  auto lock = opened();
  for (const auto& name : targets) {
    if (auto it = indices_.find(name); it != indices_.end()) {
      it->second->markDeleted();
      indices_.erase(it);
    } else if (auto bad = broken_.find(name); bad != broken_.end()) {
      std::error_code error;
      std::filesystem::remove_all(root_ / name, error);
      // Kept as broken if its files could not all be removed: they would be found again.
      if (error) throw EngineError(500, "exception", "[" + name + "] could not be deleted: " + error.message());
      broken_.erase(bad);
      if (brokenListener_) brokenListener_(broken_);
    }
  }
}

std::map<std::string, std::string> Engine::broken() const {
  auto lock = opened();
  return broken_;
}

std::vector<std::shared_ptr<Index>> Engine::all() const {
  auto lock = opened();
  std::vector<std::shared_ptr<Index>> out;
  for (const auto& [name, index] : indices_) out.push_back(index);
  return out;
}

std::set<std::string> Engine::names(const std::string& expression, bool ignoreUnavailable) const {
  auto lock = opened();
  std::set<std::string> chosen;
  const auto known = [&](const std::string& name) { return indices_.count(name) || broken_.count(name); };
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
      const auto consider = [&](const std::string& name) {
        // Wildcards skip hidden (dot-prefixed) indices unless the pattern starts with a dot.
        if (name.front() == '.' && part.front() != '.') return;
        if (wildcardMatch(part, name)) exclude ? (void)chosen.erase(name) : (void)chosen.insert(name);
      };
      for (const auto& entry : indices_) consider(entry.first);
      for (const auto& entry : broken_) consider(entry.first);
    } else if (exclude) {
      chosen.erase(part);
    } else if (known(part)) {
      chosen.insert(part);
    } else if (!ignoreUnavailable) {
      throw indexNotFound(part);
    }
    if (comma == expr.size()) break;
  }
  return chosen;
}

std::vector<std::shared_ptr<Index>> Engine::resolve(const std::string& expression, bool ignoreUnavailable) const {
  const auto chosen = names(expression, ignoreUnavailable);
  auto lock = opened();
  std::vector<std::shared_ptr<Index>> out;
  for (const auto& name : chosen) {
    if (auto it = indices_.find(name); it != indices_.end()) out.push_back(it->second);
    else if (!ignoreUnavailable && broken_.count(name)) throw indexUnavailable(name, broken_.at(name));
  }
  return out;
}

EngineError indexUnavailable(const std::string& index, const std::string& why) {
  return EngineError(503, "no_shard_available_action_exception",
                     "[" + index + "] cannot be used: its files did not open (" + why +
                         "); the files are left as they are; delete the index to remove them",
                     {{"index", index}});
}

}  // namespace orrery::data
