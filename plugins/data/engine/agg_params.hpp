// The parameters of one aggregation, checked when the request is parsed: each known
// parameter of the aggregation's kind must have its type (a 400 naming the kind and the
// parameter otherwise, as Elasticsearch's x_content_parse_exception does) and its range,
// and numbers given as strings are replaced by numbers. The shards then read the
// parameters with plain json accessors that cannot meet a wrong type.
#pragma once

#include "search_request.hpp"

namespace orrery::data {

void normalizeAggParams(AggSpec& spec);

}  // namespace orrery::data
