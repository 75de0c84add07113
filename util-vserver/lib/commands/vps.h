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

// Index of the PID column in ps's header line, or nothing.
std::optional<size_t> pidColumn(const std::string& header);

// The pid in column column of line, if it has one.
std::optional<long> pidOfLine(const std::string& line, size_t column);

// line with label inserted after its column-th field, padded to width.
std::string insertColumn(const std::string& line, size_t column, const std::string& label,
                         size_t width);

int main(int argc, const char** argv);

}  // namespace vs::vps
