// The rules of a network set that the tools apply before the kernel sees
// it: which util-vserver network flags and capabilities exist here, what a
// loopback address may be, and when an address may not be taken because
// the host or another context already has it.  Pure functions, so the
// unit tests cover them without a kernel.
#pragma once

#include <linux/vserver.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "capabilities.h"
#include "ip_address.h"
#include "vserver_proto.h"

namespace vs {

// What every guest started by vserver gets unless its nflags or
// ncapabilities clear it: util-vserver's "chbind --secure".
constexpr uint64_t kSecureNetworkFlags = VSERVER_NF_HIDE_NETIF;
constexpr uint64_t kSecureNetworkCaps = VSERVER_NCAP_RAW_ICMP;

// Adds a util-vserver nflags item ("single_ip" sets, "~hide_netif" or
// "!hide_netif" clears) to change.  "lback_remap" and "remap_lback" are
// accepted with no bit, loopback remapping being always on; util-vserver's
// other flags are refused as unsupported rather than ignored.  Throws a
// usage Error naming the item.
void addNetworkFlag(const std::string& item, BitChange& change);

// The same for an ncapabilities item: "raw_icmp", "raw"; "tun_create" is
// refused as unsupported.
void addNetworkCapability(const std::string& item, BitChange& change);

// A loopback address for VSERVER_A_NET_LBACK: in 127.0.0.0/8, not its
// network, broadcast or 127.0.0.1.  Throws a usage Error naming text.
IpAddress parseLoopbackAddress(const std::string& text);

// An address the guest's network set may hold, as the kernel checks it:
// not in 0.0.0.0/8 or 127.0.0.0/8, not multicast, not 255.255.255.255;
// not ::, ::1, multicast or v4-mapped.  Throws a
// usage Error naming it.
void requireContextAddress(const IpAddress& address);

// Refuses a set with more than VSERVER_NET_ADDRS_MAX addresses of a
// family (the kernel's limit is per family).
void requireAddressCount(const NetworkSet& net);

// "context 705 (web)" or "context 49152".
std::string describeContext(const ContextInfo& context);

// The first context other than self whose network set holds address.
std::optional<ContextInfo> holderOf(const IpAddress& address,
                                    const std::vector<ContextInfo>& contexts, uint32_t self);

// What may stop a context (self) from taking address, or nothing:
//   - another context holds it, unless shared;
//   - it is configured on the host, unless shared or it is to be there
//     already (mustBeOnHost: nodev, chbind);
//   - with mustBeOnHost, it is not configured on the host.
struct AddressClaim {
  IpAddress address;
  bool shared = false;        // interfaces/N/shared, naddress --shared
  bool mustBeOnHost = false;  // nodev: nothing is added to the host
};
std::optional<std::string> addressConflict(const AddressClaim& claim,
                                           const std::vector<IpAddress>& hostAddresses,
                                           const std::vector<ContextInfo>& contexts, uint32_t self);

// The same for the loopback address, which the kernel lets no two
// contexts share.
std::optional<std::string> loopbackConflict(const IpAddress& lback,
                                            const std::vector<ContextInfo>& contexts,
                                            uint32_t self);

// The addresses of a set as "192.0.2.1,2001:db8::1" ("" for none).
std::string joinAddresses(const std::vector<IpAddress>& addresses, const char* separator = ",");

}  // namespace vs
