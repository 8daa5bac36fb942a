// The HTTP part of the SDK in one include (without the opt-in JSON helpers of
// orrery/http/json_body.hpp).
#pragma once

#include "orrery/http/auth.hpp"
#include "orrery/http/error.hpp"
#include "orrery/http/headers.hpp"
#include "orrery/http/json_text.hpp"
#include "orrery/http/request.hpp"
#include "orrery/http/response.hpp"
#include "orrery/http/router.hpp"
#include "orrery/http/service.hpp"
