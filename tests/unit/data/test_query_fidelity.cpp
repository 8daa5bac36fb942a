// Query parameters that must behave as Elasticsearch's: range time_zone, match_phrase_prefix
// max_expansions, phrase slop with Lucene's order rule, query_string time_zone and
// allow_leading_wildcard, simple_query_string flags, multi_match cross_fields. Expected
// values are worked out in the test itself (by hand, or by a brute-force reference).
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <set>
#include <sstream>

#include "engine_fixture.hpp"
#include "errors.hpp"

using namespace orrery::data;
using orrery::data::test::EngineFixture;
using json = nlohmann::json;

namespace {

using Ids = std::set<std::string>;

}  // namespace

namespace doctest {
template <>
struct StringMaker<std::set<std::string>> {
  static String convert(const std::set<std::string>& ids) {
    std::string out = "{";
    for (const auto& id : ids) out.append(out.size() > 1 ? ", " : "").append(id);
    return (out + "}").c_str();
  }
};
}  // namespace doctest

namespace {

Ids idSet(EngineFixture& f, const std::string& index, const json& query) {
  auto ids = f.ids(index, json{{"query", query}, {"size", 100}});
  return {ids.begin(), ids.end()};
}

// The error a search fails with (type, reason); empty when it does not fail.
std::pair<std::string, std::string> failure(EngineFixture& f, const std::string& index, const json& query) {
  try {
    f.search(index, json{{"query", query}});
  } catch (const EngineError& e) {
    return {e.type(), e.what()};
  }
  return {};
}

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// Lucene's sloppy phrase rule by brute force: every way of giving each phrase term a
// distinct position of the document where that term occurs; the phrase matches when for
// one of them max(p_i - i) - min(p_i - i) <= slop.
bool luceneSloppyMatch(const std::vector<std::string>& doc, const std::vector<std::string>& phrase, int slop) {
  std::vector<int> chosen;
  std::function<bool(std::size_t)> choose = [&](std::size_t i) {
    if (i == phrase.size()) {
      int low = chosen[0], high = chosen[0];
      for (std::size_t k = 0; k < chosen.size(); ++k) {
        low = std::min(low, chosen[k] - static_cast<int>(k));
        high = std::max(high, chosen[k] - static_cast<int>(k));
      }
      return high - low <= slop;
    }
    for (int p = 0; p < static_cast<int>(doc.size()); ++p) {
      if (doc[p] != phrase[i] || std::find(chosen.begin(), chosen.end(), p) != chosen.end()) continue;
      chosen.push_back(p);
      const bool found = choose(i + 1);
      chosen.pop_back();
      if (found) return true;
    }
    return false;
  };
  return choose(0);
}

}  // namespace

TEST_CASE("match_phrase slop follows Lucene's sloppy phrase: order costs positions") {
  EngineFixture f;
  f.create("p", json{{"mappings", {{"properties", {{"body", {{"type", "text"}}}}}}}});
  const std::vector<std::string> texts = {
      "quick brown fox", "quick fox", "fox quick", "the quick red brown fox", "fox jumps over the quick dog",
      "a b c d", "c b a", "a a b", "b a a", "a x a b", "d c b a x a b c d",
  };
  std::vector<json> docs;
  for (std::size_t i = 0; i < texts.size(); ++i) docs.push_back(json{{"_id_", std::to_string(i)}, {"body", texts[i]}});
  f.load("p", docs);
  const auto phraseIds = [&](const std::string& phrase, int slop) {
    return idSet(f, "p", {{"match_phrase", {{"body", {{"query", phrase}, {"slop", slop}}}}}});
  };

  // By hand: "quick brown fox" has quick at 0 and fox at 2, offsets 0 and 1: one apart.
  CHECK(phraseIds("quick fox", 1) == Ids{"0", "1"});
  // Swapped: "quick fox" read as "fox quick" has offsets 1 and -1, two apart.
  CHECK(phraseIds("fox quick", 1) == Ids{"2"});
  CHECK(phraseIds("fox quick", 2) == Ids{"1", "2"});
  // "quick brown fox" for "fox quick": fox 2-0 = 2, quick 0-1 = -1: three apart.
  // ... and "fox jumps over the quick dog": fox 0 - 0 = 0, quick 4 - 1 = 3.
  CHECK(phraseIds("fox quick", 3) == Ids{"0", "1", "2", "4"});
  // NEAR alone would take "fox jumps over the quick dog" for "quick fox" at slop 3 (three
  // tokens between); Lucene needs 4 + 1 = 5 (fox 0, quick 4: offsets 0 - 4 ... -1 → 5).
  CHECK(phraseIds("quick fox", 3).count("4") == 0);
  CHECK(phraseIds("quick fox", 5).count("4") == 1);

  // Against the brute-force reference, over phrases with repeats and reversals.
  for (const std::string phrase : {"quick fox", "fox quick", "a b", "b a", "a a", "a b c", "c b a", "a a b", "b a a", "d a"}) {
    for (int slop = 1; slop <= 6; ++slop) {
      CAPTURE(phrase);
      CAPTURE(slop);
      Ids expected;
      for (std::size_t i = 0; i < texts.size(); ++i) {
        if (luceneSloppyMatch(words(texts[i]), words(phrase), slop)) expected.insert(std::to_string(i));
      }
      CHECK(phraseIds(phrase, slop) == expected);
    }
  }

  // The same rule in multi_match's phrase type (condition and score).
  const auto multi = f.search("p", json{{"query", {{"multi_match", {{"query", "fox quick"}, {"type", "phrase"}, {"slop", 1}, {"fields", {"body"}}}}}}});
  REQUIRE(multi["hits"]["hits"].size() == 1);
  CHECK(multi["hits"]["hits"][0]["_id"] == "2");
  CHECK(multi["hits"]["hits"][0]["_score"].get<double>() > 0);
  // As a should clause, a document NEAR takes but Lucene does not scores nothing.
  const auto should = f.search("p", json{{"query", {{"bool", {{"should", json::array({json{{"match_phrase", {{"body", {{"query", "fox quick"}, {"slop", 1}}}}}}, json{{"match", {{"body", "quick"}}}}})}}}}}});
  for (const auto& hit : should["hits"]["hits"]) {
    if (hit["_id"] == "1") {
      const auto plain = f.search("p", json{{"query", {{"match", {{"body", "quick"}}}}}});
      for (const auto& other : plain["hits"]["hits"]) {
        if (other["_id"] == "1") CHECK(hit["_score"].get<double>() == doctest::Approx(other["_score"].get<double>()));
      }
    }
  }
}

TEST_CASE("match_phrase_prefix max_expansions: the last term expands to that many terms, in term order") {
  EngineFixture f;
  f.create("e", json{{"mappings", {{"properties", {{"body", {{"type", "text"}}}}}}}});
  const std::vector<std::string> lasts = {"betting", "beta", "bet", "betray", "bell", "between", "bets"};
  std::vector<json> docs;
  for (std::size_t i = 0; i < lasts.size(); ++i) docs.push_back(json{{"_id_", lasts[i]}, {"body", "alpha " + lasts[i]}});
  docs.push_back(json{{"_id_", "other"}, {"body", "gamma beta"}});
  f.load("e", docs);
  // Lucene walks the term dictionary from the prefix in byte order and stops after
  // max_expansions terms.
  std::set<std::string> vocabulary(lasts.begin(), lasts.end());
  const auto expected = [&](const std::string& prefix, int limit) {
    Ids out;
    for (const auto& term : vocabulary) {
      if (term.rfind(prefix, 0) != 0) continue;
      if (static_cast<int>(out.size()) >= std::max(limit, 1)) break;
      out.insert(term);
    }
    return out;
  };
  const auto prefixIds = [&](const std::string& text, int limit) {
    return idSet(f, "e", {{"match_phrase_prefix", {{"body", {{"query", text}, {"max_expansions", limit}}}}}});
  };
  for (int limit : {0, 1, 2, 3, 5, 50}) {
    CAPTURE(limit);
    CHECK(prefixIds("alpha bet", limit) == expected("bet", limit));
  }
  CHECK(prefixIds("alpha bet", 2) == Ids{"bet", "beta"});
  // Default 50: every expansion.
  CHECK(idSet(f, "e", {{"match_phrase_prefix", {{"body", "alpha bet"}}}}) == expected("bet", 50));
  // A prefix that begins no term matches nothing; with slop, the expansions keep the order rule.
  CHECK(prefixIds("alpha zz", 5).empty());
  CHECK(idSet(f, "e", {{"match_phrase_prefix", {{"body", {{"query", "bet alpha"}, {"slop", 1}}}}}}).empty());
  CHECK(idSet(f, "e", {{"match_phrase_prefix", {{"body", {{"query", "beta alph"}, {"slop", 2}}}}}}) == Ids{"beta"});
  // One term: the expansions themselves ("bet", "beta" — "gamma beta" has beta too).
  CHECK(idSet(f, "e", {{"match_phrase_prefix", {{"body", {{"query", "bet"}, {"max_expansions", 2}}}}}}) ==
        Ids{"bet", "beta", "other"});
  CHECK(failure(f, "e", {{"match_phrase_prefix", {{"body", {{"query", "a"}, {"max_expansions", -1}}}}}}).first ==
        "parsing_exception");
}

TEST_CASE("range time_zone: local dates, rounding and calendar math in the zone; offsets win; now is an instant") {
  EngineFixture f;
  f.create("t", json{{"mappings", {{"properties", {{"at", {{"type", "date"}}}}}}}});
  // New York switched from EST (-05:00) to EDT (-04:00) at 2024-03-10 02:00 local, so
  // its 2024-03-10 ran from 05:00Z to 04:00Z the next day (23 hours).
  f.load("t", {
      json{{"_id_", "before"}, {"at", "2024-03-10T04:59:59.999Z"}},
      json{{"_id_", "start"}, {"at", "2024-03-10T05:00:00Z"}},
      json{{"_id_", "last"}, {"at", "2024-03-11T03:59:59.999Z"}},
      json{{"_id_", "next"}, {"at", "2024-03-11T04:00:00Z"}},
      json{{"_id_", "utcnext"}, {"at", "2024-03-11T05:00:00Z"}},
  });
  const auto range = [&](json bounds, const std::string& zone) {
    bounds["time_zone"] = zone;
    return idSet(f, "t", {{"range", {{"at", bounds}}}});
  };
  const Ids newYorkDay{"start", "last"};
  CHECK(range({{"gte", "2024-03-10"}, {"lt", "2024-03-11"}}, "America/New_York") == newYorkDay);
  CHECK(range({{"gte", "2024-03-10T00:00:00"}, {"lt", "2024-03-11T00:00:00"}}, "America/New_York") == newYorkDay);
  // Rounding: gte rounds down to local midnight, lte up to the last millisecond of the day.
  CHECK(range({{"gte", "2024-03-10T13:00:00||/d"}, {"lte", "2024-03-10T13:00:00||/d"}}, "America/New_York") == newYorkDay);
  CHECK(range({{"gt", "2024-03-09||/d"}, {"lt", "2024-03-11||/d"}}, "America/New_York") == newYorkDay);
  // A day added on local time is 23 hours here: 2024-03-11 00:00 local is 04:00Z.
  CHECK(range({{"gte", "2024-03-10||+1d"}}, "America/New_York") == Ids{"next", "utcnext"});
  // An explicit offset in the value wins over time_zone.
  CHECK(range({{"gte", "2024-03-10T05:00:00Z"}, {"lt", "2024-03-11T05:00:00+00:00"}}, "Asia/Tokyo") == Ids{"start", "last", "next"});
  // Epoch milliseconds are instants (1710046800000 = 2024-03-10T05:00:00Z).
  CHECK(range({{"gte", 1710046800000LL}, {"lt", "2024-03-11"}}, "America/New_York") == newYorkDay);
  // A fixed offset: +01:00 midnight of 2024-03-11 is 2024-03-10T23:00Z.
  CHECK(range({{"lt", "2024-03-11"}}, "+01:00") == Ids{"before", "start"});
  CHECK(range({{"lt", "2024-03-11"}}, "-04:00") == Ids{"before", "start", "last"});
  // Without time_zone: UTC.
  CHECK(idSet(f, "t", {{"range", {{"at", {{"gte", "2024-03-10"}, {"lt", "2024-03-11"}}}}}}) == Ids{"before", "start"});

  // An unknown zone is refused, naming it.
  const auto bad = failure(f, "t", {{"range", {{"at", {{"gte", "2024-03-10"}, {"time_zone", "Mars/Olympus_Mons"}}}}}});
  CHECK(bad.first == "illegal_argument_exception");
  CHECK(bad.second.find("Mars/Olympus_Mons") != std::string::npos);
}

TEST_CASE("range time_zone: now is not shifted, now/d rounds to the zone's midnight") {
  EngineFixture f;
  f.create("n", json{{"mappings", {{"properties", {{"at", {{"type", "date"}}}}}}}});
  constexpr std::int64_t kHour = 3'600'000, kDay = 24 * kHour;
  const auto clock = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  };
  const std::int64_t now = clock();
  // Midnight at -12:00 as a UTC instant: local time is 12 hours behind.
  const std::int64_t local = now - 12 * kHour;
  const std::int64_t midnight = local - (local % kDay) + 12 * kHour;
  f.load("n", {
      json{{"_id_", "past"}, {"at", now - kHour / 2}},
      json{{"_id_", "future"}, {"at", now + kHour / 2}},
      json{{"_id_", "beforeMidnight"}, {"at", midnight - 1}},
      json{{"_id_", "midnight"}, {"at", midnight}},
  });
  // A zone 5 hours either way would move a shifted `now` past both documents.
  for (const char* zone : {"+05:00", "-05:00", "Asia/Kolkata"}) {
    CAPTURE(zone);
    const auto ids = idSet(f, "n", {{"range", {{"at", {{"gt", "now-1h"}, {"lt", "now"}, {"time_zone", zone}}}}}});
    CHECK(ids.count("past") == 1);
    CHECK(ids.count("future") == 0);
  }
  const auto today = idSet(f, "n", {{"range", {{"at", {{"gte", "now/d"}, {"time_zone", "-12:00"}}}}}});
  if ((clock() - 12 * kHour) / kDay == local / kDay) {  // the local day did not change meanwhile
    CHECK(today.count("midnight") == 1);
    CHECK(today.count("beforeMidnight") == 0);
  }
}
