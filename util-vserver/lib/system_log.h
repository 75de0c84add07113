// What a boot-time tool says goes to the terminal and to syslog (facility
// daemon), since at boot nobody watches the terminal and the journal or
// syslogd keeps what it is told.
#pragma once

#include <string>

namespace vs {

class SystemLog {
 public:
  // ident must outlive the log (syslog keeps the pointer): a literal.
  explicit SystemLog(const char* ident);
  ~SystemLog();
  SystemLog(const SystemLog&) = delete;
  SystemLog& operator=(const SystemLog&) = delete;

  // "ident: message" on standard output, and to syslog at LOG_INFO.
  void info(const std::string& message) const;
  // "ident: message" on standard error, and to syslog at LOG_ERR.
  void error(const std::string& message) const;

 private:
  const char* ident_;
};

}  // namespace vs
