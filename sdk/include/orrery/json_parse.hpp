// JSON text from outside (request bodies, documents, stored JSON) parsed with a bound on
// how deeply arrays and objects nest:
//
//   auto value = orrery::parseJson(text);            // discarded() if not JSON
//   auto value = orrery::parseJson(text, 100);       // throws JsonTooDeep past 100 levels
//
// nlohmann/json's parser keeps its own stack on the heap and its destructor is iterative,
// but dump(), operator== and copies recurse, as does any walker of the value: a 1 MB body
// of `[[[[...` parses fine and overflows the stack later. Refusing the nesting while
// parsing, before the value exists, keeps every later walk bounded.
//
// Opt-in: it pulls in nlohmann/json, which the rest of the SDK avoids for compile time.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace orrery {

// Jackson's StreamReadConstraints default, which Elasticsearch parses requests with.
inline constexpr int kMaxJsonNestingDepth = 1000;

// Arrays and objects nested deeper than the limit (depth 1 is the outermost one).
class JsonTooDeep : public std::runtime_error {
 public:
  JsonTooDeep(int depth, int limit)
      : std::runtime_error("nesting depth (" + std::to_string(depth) + ") exceeds the maximum allowed (" +
                           std::to_string(limit) + ")"),
        depth_(depth),
        limit_(limit) {}
  int depth() const noexcept { return depth_; }
  int limit() const noexcept { return limit_; }

 private:
  int depth_;
  int limit_;
};

namespace detail {
// nlohmann's own DOM builder (what json::parse uses), counting containers as they open.
// sax_parse is a template over the handler type, so these members hide the base's.
class BoundedJsonBuilder : public nlohmann::detail::json_sax_dom_parser<nlohmann::json> {
  using Base = nlohmann::detail::json_sax_dom_parser<nlohmann::json>;

 public:
  BoundedJsonBuilder(nlohmann::json& result, int maxDepth) : Base(result, false), maxDepth_(maxDepth) {}

  bool start_object(std::size_t size) {
    enter();
    return Base::start_object(size);
  }
  bool end_object() {
    --depth_;
    return Base::end_object();
  }
  bool start_array(std::size_t size) {
    enter();
    return Base::start_array(size);
  }
  bool end_array() {
    --depth_;
    return Base::end_array();
  }

 private:
  void enter() {
    if (++depth_ > maxDepth_) throw JsonTooDeep(depth_, maxDepth_);
  }

  int maxDepth_;
  int depth_ = 0;
};
}  // namespace detail

// `text` parsed as nlohmann::json::parse(text, nullptr, false) does (a discarded value
// when it is not JSON), except that nesting deeper than `maxDepth` throws JsonTooDeep as
// soon as the parser reaches it.
inline nlohmann::json parseJson(std::string_view text, int maxDepth = kMaxJsonNestingDepth) {
  nlohmann::json result;
  detail::BoundedJsonBuilder builder(result, maxDepth);
  if (!nlohmann::json::sax_parse(text, &builder) || builder.is_errored()) {
    return nlohmann::json(nlohmann::json::value_t::discarded);
  }
  return result;
}

}  // namespace orrery
