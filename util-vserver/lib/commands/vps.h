// vps: ps over every context, with a CONTEXT column naming each process's
// guest.
//
//   vps [PS-ARGUMENTS...]
//   vps --version          (alone: ours, not ps's)
//
// vps moves itself into the spectator context, which sees every process,
// runs ps there and inserts after its PID column the context of each
// process: MAIN for the host, ALL_PROC for the spectator, the guest's name
// (or its xid when it has none), ERR when the process is gone.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vs::vps {

// The label of a context, as in util-vserver.
std::string contextLabel(std::optional<uint32_t> xid, const std::map<uint32_t, std::string>& names);

// Where ps's header line has its PID column: the characters [start, end)
// from the word PID to the next word (npos when it is the last).
struct ColumnSpan {
  size_t start = 0, end = 0;
};

// The PID column of ps's header line, or nothing.
std::optional<ColumnSpan> pidColumn(const std::string& header);

// The pid line has under column, if it has one.  The field is found by
// where it is, not by counting fields: a process's name or arguments (a
// guest's to choose) may hold spaces, and ps may print them before it.
std::optional<long> pidOfLine(const std::string& line, ColumnSpan column);

// line with label inserted after its field under column, padded to width.
std::string insertColumn(const std::string& line, ColumnSpan column, const std::string& label,
                         size_t width);

int main(int argc, const char** argv);

}  // namespace vs::vps
