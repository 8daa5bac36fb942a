// The host keeps several files open per index shard (the data plugin's SQLite writer,
// readers and WAL files) and one per client socket. The usual soft limit of 1,024 open
// files is low for that, while the hard limit is what the operator allows: the host
// raises its soft limit to the hard limit at start, as Go programs and many servers do.
#pragma once

namespace orrery::bootstrap {

// Raises RLIMIT_NOFILE's soft limit to its hard limit; false if the system refused.
bool raiseOpenFileLimit();

}  // namespace orrery::bootstrap
