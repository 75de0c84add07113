// Generic netlink messages: building requests and reading replies.
//
// Pure code over byte buffers, with no socket, so that encoding and
// decoding are unit-tested without a kernel.
#pragma once

#include <libmnl/libmnl.h>
#include <linux/netlink.h>

#include <array>
#include <cstdint>
#include <string>

namespace vs {

// One generic netlink request.  Attributes are added with bounds checks;
// a request that would not fit is a programming error and throws.
class GenlRequest {
 public:
  // Largest request we build; far more than any command needs.
  static constexpr size_t kCapacity = 1024;

  GenlRequest(uint16_t family, uint8_t cmd, uint8_t version, uint16_t flags);

  void putU64(uint16_t type, uint64_t value);
  void putU32(uint16_t type, uint32_t value);
  void putU16(uint16_t type, uint16_t value);
  void putString(uint16_t type, const std::string& value);

  void setSequence(uint32_t seq);

  // The message lives at the start of the buffer; no pointer into it is
  // stored, so requests can be copied and returned by value.
  nlmsghdr* header() { return reinterpret_cast<nlmsghdr*>(buffer_.data()); }
  const nlmsghdr* header() const { return reinterpret_cast<const nlmsghdr*>(buffer_.data()); }
  const void* data() const { return buffer_.data(); }
  size_t size() const { return header()->nlmsg_len; }

 private:
  alignas(nlmsghdr) std::array<char, kCapacity> buffer_{};
};

// What an NLMSG_ERROR message says: 0 for an acknowledgement, else a
// negative errno, with the kernel's extended-ack text when it sent one.
struct NetlinkStatus {
  int error = 0;
  std::string message;
};

// Reads an NLMSG_ERROR message; throws Error(EPROTO) if it is truncated.
NetlinkStatus parseNetlinkStatus(const nlmsghdr* nlh);

// Reads the NLMSG_DONE message ending a dump, which carries the dump's
// status the same way; throws Error(EPROTO) if it is truncated.
NetlinkStatus parseDumpDone(const nlmsghdr* nlh);

// Fills table[0..maxType] with the attributes following the generic netlink
// header of nlh, checking each with mnl_attr_validate() against
// expectedTypes[type].  Attributes above maxType are skipped, so that replies
// from a newer kernel still decode.  Throws Error(EPROTO) naming the first
// malformed attribute.
void parseGenlAttributes(const nlmsghdr* nlh, const mnl_attr_data_type* expectedTypes,
                         const nlattr** table, uint16_t maxType);

}  // namespace vs
