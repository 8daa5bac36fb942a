// The shared recording logger, under the name these tests use.
#pragma once

#include "tests/support/recording_logger.hpp"

namespace orrery::security::test {
using RecordingLogger = orrery::test::RecordingLogger;
}  // namespace orrery::security::test
