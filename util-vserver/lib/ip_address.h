// IPv4 and IPv6 addresses as plain values: parsed from and printed as
// text, compared and ordered, in network byte order as the kernel's
// network set (VSERVER_A_NET_ADDR4/6) and rtnetlink carry them.
#pragma once

#include <sys/socket.h>

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>

namespace vs {

struct IpAddress {
  int family = AF_INET;             // AF_INET or AF_INET6
  std::array<uint8_t, 16> bytes{};  // IPv4 in the first 4, the rest 0

  size_t size() const { return family == AF_INET ? 4 : 16; }
  // "192.0.2.1", "2001:db8::1".
  std::string str() const;

  auto operator<=>(const IpAddress&) const = default;
};

// The address, or nothing when text is not one.
std::optional<IpAddress> parseIpAddress(const std::string& text);

// 4 or 16 bytes from a netlink attribute; nothing for another length.
std::optional<IpAddress> ipAddressFromBytes(const void* data, size_t size);

// An address with its prefix length.
struct IpPrefix {
  IpAddress address;
  unsigned prefix = 32;

  bool operator==(const IpPrefix&) const = default;
};

// "ADDR" or "ADDR/PREFIX" (PREFIX 0..32 or 0..128); without one, the
// prefix is the whole address.  Throws a usage Error naming text.
IpPrefix parseIpPrefix(const std::string& text);

// The IPv4 broadcast address of address/prefix, or nothing where the
// subnet has none (IPv6, /31 and /32).
std::optional<IpAddress> broadcastOf(const IpAddress& address, unsigned prefix);

}  // namespace vs
