// Names of the bit sets of a context, as util-vserver spells them:
// capabilities ("CAP_SYS_ADMIN" or "SYS_ADMIN"), context capabilities
// ("syslog"), context flags ("persistent") and the access a device map
// rule grants ("open"), network flags ("hide_netif") and network
// capabilities ("raw_icmp").  Names are case-insensitive.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vs {

// A change to a bit set: new = (old & ~mask) | (value & mask).
struct BitChange {
  uint64_t value = 0;
  uint64_t mask = 0;

  bool empty() const { return mask == 0; }
};

// base with change applied.
constexpr uint64_t applyChange(uint64_t base, const BitChange& change) {
  return (base & ~change.mask) | (change.value & change.mask);
}

enum class BitSet {
  Capabilities,
  ContextCapabilities,
  Flags,
  DeviceAccess,
  NetworkFlags,         // VSERVER_NF_*: "hide_netif", "single_ip"
  NetworkCapabilities,  // VSERVER_NCAP_*: "raw_icmp", "raw"
};

// "capability", "context capability", "flag", "device access", "network
// flag", "network capability".
const char* bitSetNoun(BitSet set);

// The bit of a name; throws a usage Error naming the unknown name.
uint64_t bitOfName(BitSet set, const std::string& name);

// The names of the bits set in bits, in bit order; unknown bits as "bitN".
std::vector<std::string> namesOfBits(BitSet set, uint64_t bits);

// Adds an item of a util-vserver list ("NAME" sets, "~NAME" or "!NAME"
// clears) to change.
void addToChange(BitSet set, const std::string& item, BitChange& change);

// Every name of a set, in bit order (for help and for tests).
std::vector<std::string> allNames(BitSet set);

}  // namespace vs
