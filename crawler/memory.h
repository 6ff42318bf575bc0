#pragma once

// Giving freed heap memory back to the system. A long crawl frees large
// amounts at once (a replaced rule set: tens of MB of compiled patterns and
// their DFA caches; RocksDB memtables after a flush) amid memory that stays
// in use, and glibc keeps such freed pages resident until they are reused:
// the process's RSS then counts every rule set it ever had.

#include <cstdint>

namespace shagym::crawler {

// Returns the free pages of every malloc arena to the system (glibc
// malloc_trim); nothing elsewhere. Takes each arena's lock briefly.
void ReleaseFreeMemory();

// Resident set size of this process in bytes (Linux /proc/self/statm);
// -1 when unknown.
int64_t ResidentBytes();

}  // namespace shagym::crawler
