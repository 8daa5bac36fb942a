// Everything a plugin author needs, in one include.
#pragma once

#include "orrery/cancellation.hpp"
#include "orrery/config.hpp"
#include "orrery/context.hpp"
#include "orrery/contract.hpp"
#include "orrery/executors.hpp"
#include "orrery/http.hpp"
#include "orrery/lifecycle_context.hpp"
#include "orrery/logger.hpp"
#include "orrery/plugin.hpp"
#include "orrery/preboot.hpp"
#include "orrery/status.hpp"
#include "orrery/storage.hpp"
#include "orrery/task.hpp"
#include "orrery/version.hpp"
