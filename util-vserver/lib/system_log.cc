#include "system_log.h"

#include <syslog.h>

#include <cstdio>

namespace vs {

SystemLog::SystemLog(const char* ident) : ident_(ident) { openlog(ident, LOG_PID, LOG_DAEMON); }

SystemLog::~SystemLog() { closelog(); }

void SystemLog::info(const std::string& message) const {
  std::printf("%s: %s\n", ident_, message.c_str());
  std::fflush(stdout);
  syslog(LOG_INFO, "%s", message.c_str());
}

void SystemLog::error(const std::string& message) const {
  std::fprintf(stderr, "%s: %s\n", ident_, message.c_str());
  syslog(LOG_ERR, "%s", message.c_str());
}

}  // namespace vs
