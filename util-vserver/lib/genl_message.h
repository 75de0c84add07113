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
#include <vector>

namespace vs {

// One generic netlink request.  Attributes are added with bounds checks;
// a request that would not fit is a programming error and throws.
class GenlRequest {
 public:
  // Largest request we build: a context's policy with a full device map
  // (VSERVER_DEVICES_MAX rules of 36 bytes each) and a full network set
  // (VSERVER_NET_ADDRS_MAX addresses of each family, 8 and 20 bytes each)
  // fits with room to spare.
  static constexpr size_t kCapacity = 8192;

  GenlRequest(uint16_t family, uint8_t cmd, uint8_t version, uint16_t flags);

  void putU64(uint16_t type, uint64_t value);
  void putU32(uint16_t type, uint32_t value);
  void putU16(uint16_t type, uint16_t value);
  void putString(uint16_t type, const std::string& value);
  void putBytes(uint16_t type, const void* data, size_t size);

  // Opens a nested attribute: what is put until endNest() with the offset
  // returned goes inside it.  An offset, not a pointer, so that a copy of
  // the request stays whole.
  size_t beginNest(uint16_t type);
  void endNest(size_t offset);

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

// The same for the attributes inside nest, an attribute already validated
// as MNL_TYPE_NESTED.
void parseNestedAttributes(const nlattr* nest, const mnl_attr_data_type* expectedTypes,
                           const nlattr** table, uint16_t maxType);

// The attributes inside nest, whatever their types: the items of a list
// (a nest of nests, one per item).  Throws Error(EPROTO) when one is not
// itself a nest.
std::vector<const nlattr*> nestedList(const nlattr* nest);

}  // namespace vs
