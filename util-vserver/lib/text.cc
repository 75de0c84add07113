#include "text.h"

#include <sys/stat.h>

#include <cstdio>

namespace vs {

std::string joined(const std::vector<std::string>& items, std::string_view separator) {
  std::string text;
  for (const std::string& item : items) {
    if (!text.empty()) text += separator;
    text += item;
  }
  return text;
}

namespace {

void appendEscaped(std::string& out, unsigned char byte) {
  char escaped[5];
  std::snprintf(escaped, sizeof(escaped), "\\x%02x", byte);
  out += escaped;
}

// The length of a UTF-8 sequence that starts with lead; 0 if none does.
size_t sequenceLength(unsigned char lead) {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

// The length of the UTF-8 sequence at the start of text that encodes a
// printable character outside ASCII (not a C1 control), else 0.
size_t printableSequence(std::string_view text) {
  const auto byte = [&text](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  const size_t length = sequenceLength(lead);
  if (length == 0 || text.size() < length) return 0;
  char32_t point = lead & (0x7f >> length);
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xc0) != 0x80) return 0;
    point = (point << 6) | (byte(i) & 0x3f);
  }
  const char32_t shortest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (point < shortest[length] || point > 0x10ffff || (point >= 0xd800 && point <= 0xdfff))
    return 0;
  if (point <= 0x9f) return 0;  // C1
  // The marks and overrides of bidirectional text, which reorder what a
  // terminal shows ("Trojan Source").
  if (point == 0x61c || point == 0x200e || point == 0x200f ||
      (point >= 0x202a && point <= 0x202e) || (point >= 0x2066 && point <= 0x2069))
    return 0;
  return length;
}

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte < 0x7f) {
      out += text[i++];
    } else if (const size_t length = byte >= 0x80 ? printableSequence(text.substr(i)) : 0) {
      out += text.substr(i, length);
      i += length;
    } else {
      appendEscaped(out, byte);
      ++i;
    }
  }
  return out;
}

bool mayReachTerminal(int fd) {
  struct stat status {};
  return fstat(fd, &status) != 0 || !S_ISREG(status.st_mode);
}

namespace {

// Colour settings longer than this are not passed on, nor held.
constexpr size_t kLongestHeld = 32;

// The length of the colour setting (SGR) at the start of text, which
// starts with ESC; 0 if none is there, npos if text ends before it does.
size_t colourSettingLength(std::string_view text) {
  size_t i = 1;
  if (i < text.size() && text[i] != '[') return 0;
  for (++i; i < text.size() && i < kLongestHeld; ++i) {
    if (text[i] == 'm') return i + 1;
    if ((text[i] < '0' || text[i] > '9') && text[i] != ';') return 0;
  }
  return i < kLongestHeld ? std::string_view::npos : 0;
}

// Whether text, which starts with a UTF-8 lead byte, is the start of a
// sequence that continues past its end.
bool unfinishedSequence(std::string_view text) {
  if (text.size() >= sequenceLength(static_cast<unsigned char>(text[0]))) return false;
  for (size_t i = 1; i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xc0) != 0x80) return false;
  return true;
}

}  // namespace

std::string TerminalText::pass(std::string_view piece) {
  held_ += piece;
  const std::string text = std::move(held_);
  held_.clear();
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const std::string_view rest = std::string_view(text).substr(i);
    const auto byte = static_cast<unsigned char>(text[i]);
    size_t length = 0;
    if ((byte >= 0x20 && byte < 0x7f) || byte == '\n' || byte == '\t' || byte == '\r') {
      length = 1;
    } else if (byte == 0x1b) {
      length = colourSettingLength(rest);
      if (length != 0 && length != std::string_view::npos) coloured_ = true;
    } else if (byte >= 0x80) {
      length = printableSequence(rest);
      if (length == 0 && unfinishedSequence(rest)) length = std::string_view::npos;
    }
    if (length == std::string_view::npos) {
      held_ = rest;
      break;
    }
    if (length == 0) {
      appendEscaped(out, byte);
      ++i;
      continue;
    }
    out += rest.substr(0, length);
    i += length;
  }
  return out;
}

std::string TerminalText::finish() {
  std::string out = printable(held_);
  held_.clear();
  if (coloured_) out += "\x1b[0m";
  coloured_ = false;
  return out;
}

}  // namespace vs
