#include "ip_address.h"

#include <arpa/inet.h>

#include <cstring>

#include "error.h"
#include "number.h"

namespace vs {

std::string IpAddress::str() const {
  char text[INET6_ADDRSTRLEN] = "";
  inet_ntop(family, bytes.data(), text, sizeof(text));
  return text;
}

std::optional<IpAddress> parseIpAddress(const std::string& text) {
  IpAddress address;
  if (inet_pton(AF_INET, text.c_str(), address.bytes.data()) == 1) return address;
  address.family = AF_INET6;
  if (inet_pton(AF_INET6, text.c_str(), address.bytes.data()) == 1) return address;
  return std::nullopt;
}

std::optional<IpAddress> ipAddressFromBytes(const void* data, size_t size) {
  if (size != 4 && size != 16) return std::nullopt;
  IpAddress address;
  address.family = size == 4 ? AF_INET : AF_INET6;
  std::memcpy(address.bytes.data(), data, size);
  return address;
}

IpPrefix parseIpPrefix(const std::string& text) {
  const size_t slash = text.find('/');
  const auto address = parseIpAddress(text.substr(0, slash));
  if (!address) throwUsage("'" + text + "' is not an IPv4 or IPv6 address");
  const unsigned max = address->family == AF_INET ? 32 : 128;
  IpPrefix result{*address, max};
  if (slash != std::string::npos)
    result.prefix = static_cast<unsigned>(parseUnsigned(text.substr(slash + 1), 0, max,
                                                        "the prefix length of " + text));
  return result;
}

std::optional<IpAddress> broadcastOf(const IpAddress& address, unsigned prefix) {
  if (address.family != AF_INET || prefix >= 31) return std::nullopt;
  uint32_t bits = 0;
  std::memcpy(&bits, address.bytes.data(), 4);
  bits = htonl(ntohl(bits) | (~uint32_t{0} >> prefix));
  IpAddress broadcast = address;
  std::memcpy(broadcast.bytes.data(), &bits, 4);
  return broadcast;
}

}  // namespace vs
