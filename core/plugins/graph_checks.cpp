#include "core/plugins/graph_checks.hpp"

#include <algorithm>
#include <deque>
#include <set>

namespace orrery::plugins::graph_checks {
namespace {

std::string fileOf(const Manifest& m) { return m.file.string(); }

// "'a' (a.json)"
std::string named(const Manifest& m) { return "'" + m.id + "' (" + fileOf(m) + ")"; }

// "a, b and c"
std::string listing(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " and " : ", ";
    out += items[i];
  }
  return out;
}

std::vector<std::string> sortedDependencies(const Manifest& plugin, const ById& plugins) {
  std::vector<std::string> ids;
  for (const Manifest* dep : presentDependencies(plugin, plugins)) ids.push_back(dep->id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

// Tarjan's strongly connected components; components come out dependencies first.
class Components {
 public:
  explicit Components(const ById& plugins) : plugins_(plugins) {
    for (const auto& [id, manifest] : plugins_) {
      (void)manifest;
      if (!state_.contains(id)) visit(id);
    }
  }
  std::vector<std::vector<std::string>> result;

 private:
  struct Mark {
    std::size_t index;
    std::size_t low;
    bool onStack;
  };
  void visit(const std::string& id) {
    state_[id] = {next_, next_, true};
    ++next_;
    stack_.push_back(id);
    for (const std::string& dep : sortedDependencies(*plugins_.at(id), plugins_)) {
      const auto found = state_.find(dep);
      if (found == state_.end()) {
        visit(dep);
        state_[id].low = std::min(state_[id].low, state_[dep].low);
      } else if (found->second.onStack) {
        state_[id].low = std::min(state_[id].low, found->second.index);
      }
    }
    if (state_[id].low != state_[id].index) return;
    std::vector<std::string> component;
    while (true) {
      std::string member = std::move(stack_.back());
      stack_.pop_back();
      state_[member].onStack = false;
      const bool done = member == id;
      component.push_back(std::move(member));
      if (done) break;
    }
    std::sort(component.begin(), component.end());
    result.push_back(std::move(component));
  }

  const ById& plugins_;
  std::map<std::string, Mark> state_;
  std::vector<std::string> stack_;
  std::size_t next_ = 0;
};

// Shortest way from `start` back to itself inside one component; breadth-first with
// neighbours in id order, so the reported cycle is always the same one.
std::vector<std::string> cycleThrough(const std::string& start,
                                      const std::set<std::string>& component,
                                      const ById& plugins) {
  std::map<std::string, std::string> parent;
  std::deque<std::string> queue{start};
  while (!queue.empty()) {
    const std::string current = queue.front();
    queue.pop_front();
    for (const std::string& dep : sortedDependencies(*plugins.at(current), plugins)) {
      if (!component.contains(dep)) continue;
      if (dep == start) {
        std::vector<std::string> path{current};
        while (path.back() != start) path.push_back(parent.at(path.back()));
        std::reverse(path.begin(), path.end());
        return path;
      }
      if (parent.emplace(dep, current).second) queue.push_back(dep);
    }
  }
  return {start};  // unreachable for a real cycle; keeps the message well-formed
}

}  // namespace

std::vector<const Manifest*> presentDependencies(const Manifest& plugin, const ById& plugins) {
  std::vector<const Manifest*> deps;
  for (const auto* list : {&plugin.requiredPlugins, &plugin.optionalPlugins}) {
    for (const std::string& id : *list) {
      const auto found = plugins.find(id);
      if (found != plugins.end()) deps.push_back(found->second);
    }
  }
  return deps;
}

std::vector<GraphError> duplicateIds(const std::vector<Manifest>& manifests) {
  std::map<std::string, std::vector<const Manifest*>> byId;
  for (const Manifest& m : manifests) byId[m.id].push_back(&m);
  std::vector<GraphError> errors;
  for (const auto& [id, list] : byId) {
    if (list.size() < 2) continue;
    GraphError error{GraphError::Kind::duplicateId, {}, {}};
    std::vector<std::string> files;
    for (const Manifest* m : list) {
      files.push_back(fileOf(*m));
      error.files.push_back(m->file);
    }
    error.message = "duplicate plugin id '" + id + "' in " + listing(files);
    errors.push_back(std::move(error));
  }
  return errors;
}

std::vector<GraphError> configPathClashes(const ById& plugins) {
  std::map<std::string, std::vector<const Manifest*>> byPath;
  for (const auto& [id, m] : plugins) byPath[m->configPath].push_back(m);
  std::vector<GraphError> errors;
  for (const auto& [path, list] : byPath) {
    if (list.size() > 1) {
      GraphError error{GraphError::Kind::duplicateConfigPath, {}, {}};
      std::vector<std::string> names;
      for (const Manifest* m : list) {
        names.push_back(named(*m));
        error.files.push_back(m->file);
      }
      error.message = "plugins " + listing(names) + " use the same configPath '" + path +
                      "'; each plugin needs its own config section";
      errors.push_back(std::move(error));
    }
    // A section inside another plugin's would be read, and validated, by both.
    for (std::size_t dot = path.find('.'); dot != std::string::npos; dot = path.find('.', dot + 1)) {
      const auto outer = byPath.find(path.substr(0, dot));
      if (outer == byPath.end()) continue;
      const Manifest& inner = *list.front();
      const Manifest& owner = *outer->second.front();
      errors.push_back({GraphError::Kind::nestedConfigPath,
                        "configPath '" + path + "' of plugin " + named(inner) +
                            " lies inside configPath '" + owner.configPath + "' of plugin " +
                            named(owner) + "; each plugin needs its own config section",
                        {inner.file, owner.file}});
    }
  }
  return errors;
}

std::vector<GraphError> typeMismatches(const ById& plugins) {
  std::vector<GraphError> errors;
  for (const auto& [id, m] : plugins) {
    for (const Manifest* dep : presentDependencies(*m, plugins)) {
      if (m->type == dep->type) continue;
      const bool required = std::find(m->requiredPlugins.begin(), m->requiredPlugins.end(),
                                      dep->id) != m->requiredPlugins.end();
      const std::string verb = required ? " depends on " : " optionally depends on ";
      if (m->type == PluginType::standard) {
        errors.push_back({GraphError::Kind::standardOnPreboot,
                          "standard plugin " + named(*m) + verb + "preboot plugin " +
                              named(*dep) +
                              "; preboot plugins are stopped before standard plugins start",
                          {m->file, dep->file}});
      } else {
        errors.push_back({GraphError::Kind::prebootOnStandard,
                          "preboot plugin " + named(*m) + verb + "standard plugin " +
                              named(*dep) + "; preboot plugins may depend only on preboot plugins",
                          {m->file, dep->file}});
      }
    }
  }
  return errors;
}

std::vector<GraphError> cycles(const ById& plugins) {
  std::vector<GraphError> errors;
  for (const std::vector<std::string>& component : Components(plugins).result) {
    const std::string& start = component.front();
    const auto deps = sortedDependencies(*plugins.at(start), plugins);
    const bool selfLoop = std::binary_search(deps.begin(), deps.end(), start);
    if (component.size() < 2 && !selfLoop) continue;
    const std::set<std::string> members(component.begin(), component.end());
    const std::vector<std::string> cycle = cycleThrough(start, members, plugins);
    GraphError error{GraphError::Kind::cycle, "dependency cycle: ", {}};
    std::vector<std::string> files;
    for (const std::string& id : cycle) {
      error.message += id + " -> ";
      files.push_back(fileOf(*plugins.at(id)));
      error.files.push_back(plugins.at(id)->file);
    }
    error.message += start + " (";
    for (std::size_t i = 0; i < files.size(); ++i) error.message += (i > 0 ? ", " : "") + files[i];
    error.message += ")";
    // A tangle of several cycles is reported once, naming everyone caught in it.
    std::vector<std::string> others;
    for (const std::string& id : component) {
      if (std::find(cycle.begin(), cycle.end(), id) == cycle.end()) {
        others.push_back(id + " (" + fileOf(*plugins.at(id)) + ")");
        error.files.push_back(plugins.at(id)->file);
      }
    }
    if (!others.empty()) error.message += "; also caught in it: " + listing(others);
    errors.push_back(std::move(error));
  }
  std::sort(errors.begin(), errors.end(),
            [](const GraphError& a, const GraphError& b) { return a.message < b.message; });
  return errors;
}

}  // namespace orrery::plugins::graph_checks
