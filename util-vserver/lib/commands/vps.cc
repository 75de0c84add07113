#include "vps.h"

#include <linux/vserver.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <string_view>

#include "../error.h"
#include "../subprocess.h"
#include "../text.h"
#include "../tool.h"
#include "../version.h"
#include "../vserver_client.h"

namespace vs::vps {

namespace {

// [start, end) of the first whitespace-separated field of line at or
// after pos, or nothing.
std::optional<std::pair<size_t, size_t>> nextField(const std::string& line, size_t pos) {
  const size_t start = line.find_first_not_of(" \t", pos);
  if (start == std::string::npos) return std::nullopt;
  return std::make_pair(start, std::min(line.find_first_of(" \t", start), line.size()));
}

// [start, end) of the field of line that overlaps column: ps aligns a
// number to the right of its column, text to the left.
std::optional<std::pair<size_t, size_t>> fieldUnder(const std::string& line, ColumnSpan column) {
  for (auto field = nextField(line, 0); field && field->first < column.end;
       field = nextField(line, field->second))
    if (field->second > column.start) return field;
  return std::nullopt;
}

}  // namespace

std::string contextLabel(std::optional<uint32_t> xid, const std::map<uint32_t, std::string>& names) {
  if (!xid) return "ERR";
  if (*xid == VSERVER_HOST_XID) return "MAIN";
  if (*xid == VSERVER_SPECTATOR_XID) return "ALL_PROC";
  const auto named = names.find(*xid);
  return named != names.end() && !named->second.empty() ? named->second : std::to_string(*xid);
}

std::optional<ColumnSpan> pidColumn(const std::string& header) {
  for (auto field = nextField(header, 0); field; field = nextField(header, field->second)) {
    if (header.compare(field->first, field->second - field->first, "PID") != 0) continue;
    // busybox prints the word at the left of the column, its pids at the
    // right: the column runs to the next word.
    const auto next = nextField(header, field->second);
    return ColumnSpan{field->first, next ? next->first : std::string::npos};
  }
  return std::nullopt;
}

std::optional<long> pidOfLine(const std::string& line, ColumnSpan column) {
  const auto bounds = fieldUnder(line, column);
  if (!bounds) return std::nullopt;
  const std::string field = line.substr(bounds->first, bounds->second - bounds->first);
  if (field.empty() || field.size() > 10 || field.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stol(field);
}

std::string insertColumn(const std::string& line, ColumnSpan column, const std::string& label,
                         size_t width) {
  const auto bounds = fieldUnder(line, column);
  if (!bounds) return line;
  std::string padded = label;
  padded.resize(std::max(width, label.size()), ' ');
  return line.substr(0, bounds->second) + " " + padded + line.substr(bounds->second);
}

namespace {

// How wide the CONTEXT column is: its widest label that vps knows of
// before ps runs.
size_t labelWidth(const std::map<uint32_t, std::string>& names) {
  // ERR, MAIN and ALL_PROC.
  const std::optional<uint32_t> unnamed[] = {std::nullopt, VSERVER_HOST_XID, VSERVER_SPECTATOR_XID};
  size_t width = std::string_view("CONTEXT").size();
  for (const std::optional<uint32_t>& xid : unnamed)
    width = std::max(width, contextLabel(xid, names).size());
  for (const auto& named : names) width = std::max(width, contextLabel(named.first, names).size());
  return width;
}

int run(int argc, const char** argv) {
  // Every other argument is ps's; this one alone is ours, as on every tool.
  if (argc == 2 && std::string(argv[1]) == "--version") {
    std::printf("%s\n", versionLine("vps").c_str());
    return 0;
  }
  VserverClient client;
  client.migrate(VSERVER_SPECTATOR_XID);
  std::map<uint32_t, std::string> names;
  for (const ContextInfo& ctx : client.contexts()) names[ctx.xid] = ctx.name;
  const size_t width = labelWidth(names);

  std::vector<std::string> command = {"ps"};
  command.insert(command.end(), argv + 1, argv + argc);
  // A guest names its processes: no escape sequence of its reaches the
  // terminal or a log (busybox ps prints a zombie's name as it is).
  // Escaped once the line is laid out, where ps's columns are.  Each line
  // as it comes: guests' command lines can make ps print without bound.
  const auto print = [](const std::string& line) { std::printf("%s\n", printable(line).c_str()); };
  bool header = true;
  std::optional<ColumnSpan> column;
  return runReadingLines(command, [&](const std::string& line) {
    if (header) {
      header = false;
      column = pidColumn(line);
      print(column ? insertColumn(line, *column, "CONTEXT", width) : line);
      return;
    }
    const std::optional<long> pid = column ? pidOfLine(line, *column) : std::nullopt;
    if (!pid) {
      print(line);
      return;
    }
    std::optional<uint32_t> xid;
    try {
      xid = client.taskXid(static_cast<pid_t>(*pid));
    } catch (const Error& e) {
      if (e.errnum() != ESRCH) throw;
    }
    print(insertColumn(line, *column, contextLabel(xid, names), width));
  });
}

}  // namespace

int main(int argc, const char** argv) {
  return runTool("vps", [&] { return run(argc, argv); });
}

}  // namespace vs::vps
