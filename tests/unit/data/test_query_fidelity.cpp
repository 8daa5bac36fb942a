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

TEST_CASE("query_string time_zone applies to its date ranges; allow_leading_wildcard false refuses *x and ?x") {
  EngineFixture f;
  f.create("q", json{{"mappings", {{"properties", {{"at", {{"type", "date"}}}, {"title", {{"type", "text"}}}}}}}});
  // New York's 2024-03-10 ran from 05:00Z to 04:00Z the next day (EST to EDT).
  f.load("q", {
      json{{"_id_", "before"}, {"at", "2024-03-10T04:59:59.999Z"}, {"title", "red fox"}},
      json{{"_id_", "start"}, {"at", "2024-03-10T05:00:00Z"}, {"title", "box of rocks"}},
      json{{"_id_", "last"}, {"at", "2024-03-11T03:59:59.999Z"}, {"title", "sox"}},
      json{{"_id_", "next"}, {"at", "2024-03-11T04:00:00Z"}, {"title", "foxglove"}},
  });
  const auto qs = [&](const std::string& text, json options = json::object()) {
    options["query"] = text;
    return idSet(f, "q", {{"query_string", options}});
  };
  CHECK(qs("at:[2024-03-10 TO 2024-03-11}", {{"time_zone", "America/New_York"}}) == Ids{"start", "last"});
  CHECK(qs("at:[2024-03-10 TO 2024-03-11}") == Ids{"before", "start"});  // UTC
  CHECK(qs("at:>=2024-03-11", {{"time_zone", "-04:00"}}) == Ids{"next"});
  CHECK(qs("at:<2024-03-11", {{"time_zone", "+01:00"}}) == Ids{"before", "start"});  // 2024-03-10T23:00Z
  CHECK(qs("at:[2024-03-10||/d TO 2024-03-10||/d]", {{"time_zone", "America/New_York"}}) == Ids{"start", "last"});
  const auto badZone = failure(f, "q", {{"query_string", {{"query", "at:>2024-01-01"}, {"time_zone", "Nowhere/Land"}}}});
  CHECK(badZone.first == "illegal_argument_exception");
  CHECK(badZone.second.find("Nowhere/Land") != std::string::npos);

  // Leading wildcards: allowed by default.
  CHECK(qs("title:*ox") == Ids{"before", "start", "last"});  // fox, box, sox
  CHECK(qs("title:?ox") == Ids{"before", "start", "last"});
  for (const std::string text : {"title:*ox", "title:?ox", "red OR *ox*"}) {
    CAPTURE(text);
    const auto refused = failure(f, "q", {{"query_string", {{"query", text}, {"allow_leading_wildcard", false}}}});
    CHECK(refused.first == "query_shard_exception");
    CHECK(refused.second.find("not allowed as first character") != std::string::npos);
    const std::string term = text.substr(text.find_first_of("*?"));
    CHECK(refused.second.find("[" + term + "]") != std::string::npos);
  }
  // Still fine without it: a trailing wildcard, a lone `*` (the field exists), an escaped one.
  CHECK(qs("title:fox*", {{"allow_leading_wildcard", false}}) == Ids{"before", "next"});
  CHECK(qs("title:*", {{"allow_leading_wildcard", false}}).size() == 4);
  CHECK(failure(f, "q", {{"query_string", {{"query", "x"}, {"allow_leading_wildcard", "maybe"}}}}).first == "parsing_exception");
  // Each syntax takes only its own options.
  CHECK(failure(f, "q", {{"query_string", {{"query", "x"}, {"flags", "ALL"}}}}).first == "parsing_exception");
  CHECK(failure(f, "q", {{"simple_query_string", {{"query", "x"}, {"time_zone", "UTC"}}}}).first == "parsing_exception");
}

TEST_CASE("simple_query_string flags: a switched-off operator is plain text, as in Lucene's SimpleQueryParser") {
  EngineFixture f;
  f.create("s", json{{"mappings", {{"properties", {{"body", {{"type", "text"}}}}}}}});
  f.load("s", {
      json{{"_id_", "1"}, {"body", "quick brown fox"}},
      json{{"_id_", "2"}, {"body", "lazy dog"}},
      json{{"_id_", "3"}, {"body", "fox and hound"}},
      json{{"_id_", "4"}, {"body", "foxes run far"}},
      json{{"_id_", "5"}, {"body", "brown bread"}},
  });
  const auto sqs = [&](const std::string& text, json flags, const char* op = "or") {
    json body{{"query", text}, {"fields", {"body"}}, {"default_operator", op}};
    if (!flags.is_null()) body["flags"] = flags;
    return idSet(f, "s", {{"simple_query_string", body}});
  };
  const Ids all{"1", "2", "3", "4", "5"};
  // OR: `fox | dog` under AND as default operator: either term, or (switched off) both.
  CHECK(sqs("fox | dog", "ALL", "and") == Ids{"1", "2", "3"});
  CHECK(sqs("fox | dog", "NONE", "and").empty());
  CHECK(sqs("fox|dog", "OR", "and") == Ids{"1", "2", "3"});
  // AND: `+` between clauses.
  CHECK(sqs("brown + fox", "ALL") == Ids{"1"});
  CHECK(sqs("brown + fox", "OR|WHITESPACE") == Ids{"1", "3", "5"});
  // NOT: `-quick` excludes, or is the word quick.
  CHECK(sqs("fox -quick", "ALL", "and") == Ids{"3"});
  CHECK(sqs("fox -quick", "AND|OR|WHITESPACE", "and") == Ids{"1"});
  // A negated clause alone is "everything but" (with OR: fox, or anything without quick).
  CHECK(sqs("fox -quick", "ALL") == all);
  CHECK(sqs("-quick", "ALL") == Ids{"2", "3", "4", "5"});
  // WHITESPACE off: the whole text is one token for the analyzer, so `-` inside it is text.
  CHECK(sqs("fox -quick", "NOT") == Ids{"1", "3"});
  // PREFIX: `fox*`.
  CHECK(sqs("fox*", "ALL") == Ids{"1", "3", "4"});
  CHECK(sqs("fox*", "NONE") == Ids{"1", "3"});
  // PHRASE.
  CHECK(sqs("\"brown fox\"", "ALL") == Ids{"1"});
  CHECK(sqs("\"brown fox\"", "OR|AND|WHITESPACE") == Ids{"1", "3", "5"});
  // PRECEDENCE; without it, operators apply left to right: (bread | fox) + dog.
  CHECK(sqs("bread | (fox + dog)", "ALL") == Ids{"5"});
  CHECK(sqs("bread | (fox + dog)", "OR|AND|WHITESPACE").empty());
  CHECK(sqs("fox | dog + lazy", "ALL") == Ids{"2"});
  // ESCAPE: `\|` is part of the token (fox|dog → fox AND dog), or the backslash is text.
  CHECK(sqs("fox\\|dog", "ALL", "and").empty());
  CHECK(sqs("fox\\|dog", "OR|AND|WHITESPACE", "and") == Ids{"1", "2", "3"});
  // FUZZY: `fix~1` is fox within one edit; off, it is the words fix and 1.
  CHECK(sqs("fix~1", "ALL") == Ids{"1", "3"});
  CHECK(sqs("fix~", "FUZZY") == Ids{"1", "3", "4"});  // `~` alone: two edits (fox, and far)
  CHECK(sqs("fix~1", "NONE").empty());
  // NEAR (alias SLOP): a phrase's `~N`.
  CHECK(sqs("\"quick fox\"~1", "ALL") == Ids{"1"});
  CHECK(sqs("\"quick fox\"~1", "PHRASE|SLOP") == Ids{"1"});
  CHECK(sqs("\"quick fox\"~1", "PHRASE|NEAR") == Ids{"1"});
  CHECK(sqs("\"quick fox\"~1", "PHRASE").empty());
  // Names in any case; NONE and ALL decide at once; the integer form.
  CHECK(sqs("fox | dog", "or|whitespace", "and") == Ids{"1", "2", "3"});
  CHECK(sqs("fox | dog", "OR|NONE", "and").empty());
  CHECK(sqs("fox | dog", 4 | 128, "and") == Ids{"1", "2", "3"});
  CHECK(sqs("fox | dog", -1, "and") == Ids{"1", "2", "3"});
  // Nothing to search for matches nothing; `*` alone matches everything.
  CHECK(sqs("|", "ALL").empty());
  CHECK(sqs(" * ", "ALL") == all);
  // Lucene's corner cases: a stray `)` is ignored; `~` right at the end gives no slop; an
  // escaped `*` is no prefix; a token of punctuation builds no clause (so AND does not
  // require it).
  CHECK(sqs("fox )", "ALL") == Ids{"1", "3"});
  CHECK(sqs("\"quick fox\"~", "ALL").empty());
  CHECK(sqs("fox\\*", "ALL") == Ids{"1", "3"});
  CHECK(sqs("fox , ", "ALL", "and") == Ids{"1", "3"});

  const auto unknown = failure(f, "s", {{"simple_query_string", {{"query", "x"}, {"flags", "AND|Bogus"}}}});
  CHECK(unknown.first == "illegal_argument_exception");
  CHECK(unknown.second.find("[Bogus]") != std::string::npos);
  CHECK(failure(f, "s", {{"simple_query_string", {{"query", "x"}, {"flags", json::array()}}}}).first == "parsing_exception");
}

TEST_CASE("multi_match cross_fields: terms may match in different fields; scores blend fields per term") {
  EngineFixture f;
  f.create("c", json{{"mappings", {{"properties", {{"first", {{"type", "text"}}}, {"last", {{"type", "text"}}},
                                                     {"code", {{"type", "keyword"}}}}}}}});
  f.load("c", {
      json{{"_id_", "1"}, {"first", "peter"}, {"last", "smith"}},
      json{{"_id_", "2"}, {"first", "peter smith"}, {"last", "jones"}},
      json{{"_id_", "3"}, {"first", "john"}, {"last", "smith"}},
      json{{"_id_", "4"}, {"first", "smith"}, {"last", "peter"}},
      json{{"_id_", "5"}, {"first", "peter"}, {"last", "peter"}},
      json{{"_id_", "6"}, {"first", "anna"}, {"last", "lee"}, {"code", "peter smith"}},
  });
  const auto mm = [&](json body) {
    body["fields"] = {"first", "last"};
    return idSet(f, "c", {{"multi_match", body}});
  };
  // operator and: every term in some field (cross) versus every term in one field (best).
  CHECK(mm({{"query", "peter smith"}, {"operator", "and"}, {"type", "cross_fields"}}) == Ids{"1", "2", "4"});
  CHECK(mm({{"query", "peter smith"}, {"operator", "and"}, {"type", "best_fields"}}) == Ids{"2"});
  // minimum_should_match counts terms across the fields.
  CHECK(mm({{"query", "peter smith john"}, {"minimum_should_match", 2}, {"type", "cross_fields"}}) == Ids{"1", "2", "3", "4"});
  CHECK(mm({{"query", "peter smith john"}, {"minimum_should_match", 2}, {"type", "best_fields"}}) == Ids{"2"});
  CHECK(mm({{"query", "peter smith john"}, {"minimum_should_match", "100%"}, {"type", "cross_fields"}}).empty());
  CHECK(mm({{"query", "peter smith"}, {"type", "cross_fields"}}) == Ids{"1", "2", "3", "4", "5"});
  // A keyword field is its own group: the whole text is its one term.
  const auto withCode = idSet(f, "c", {{"multi_match", {{"query", "peter smith"}, {"operator", "and"}, {"type", "cross_fields"},
                                                        {"fields", {"first", "last", "code"}}}}});
  CHECK(withCode == Ids{"1", "2", "4", "6"});

  // Score: per term, the best field's score (tie_breaker 0), summed over the terms. Each
  // single-term, single-field score is read from a plain match query.
  const auto scoreOf = [&](const json& query, const std::string& id) {
    const auto result = f.search("c", json{{"query", query}, {"size", 100}});
    for (const auto& hit : result["hits"]["hits"]) {
      if (hit["_id"] == id) return hit["_score"].get<double>();
    }
    return 0.0;
  };
  const auto single = [&](const std::string& field, const std::string& term, const std::string& id) {
    return scoreOf({{"match", {{field, term}}}}, id);
  };
  for (const std::string id : {"1", "2", "4", "5"}) {
    CAPTURE(id);
    double expected = 0;
    for (const std::string term : {"peter", "smith"}) expected += std::max(single("first", term, id), single("last", term, id));
    const double cross = scoreOf({{"multi_match", {{"query", "peter smith"}, {"type", "cross_fields"}, {"fields", {"first", "last"}}}}}, id);
    CHECK(cross == doctest::Approx(expected));
    // With tie_breaker 0.5 the other field adds half its score, per term.
    double tied = 0;
    for (const std::string term : {"peter", "smith"}) {
      const double a = single("first", term, id), b = single("last", term, id);
      tied += std::max(a, b) + 0.5 * std::min(a, b);
    }
    CHECK(scoreOf({{"multi_match", {{"query", "peter smith"}, {"type", "cross_fields"}, {"tie_breaker", 0.5}, {"fields", {"first", "last"}}}}}, id) ==
          doctest::Approx(tied));
  }
  // Unlike best_fields, which takes one field's score for the whole text.
  const double best = scoreOf({{"multi_match", {{"query", "peter smith"}, {"type", "best_fields"}, {"fields", {"first", "last"}}}}}, "1");
  CHECK(best == doctest::Approx(std::max(single("first", "peter", "1"), single("last", "smith", "1"))));
  CHECK(best < scoreOf({{"multi_match", {{"query", "peter smith"}, {"type", "cross_fields"}, {"fields", {"first", "last"}}}}}, "1"));
}
