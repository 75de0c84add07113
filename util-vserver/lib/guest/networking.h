// A guest's networking on the shared host stack (interfaces/, nflags,
// ncapabilities): the network set its context gets, and the addresses
// start adds to host devices and stop removes again.
//
// Every guest started by vserver is confined to a network set, even with
// an empty interfaces/ (then it has only its own loopback).  start adds
// each address with a dev to that device before the guest's first process
// runs, recording each in the guest's run state (addressRecordOf) as soon
// as it is there; stop, the roll-back of a failed start, and the next
// start or stop after a start that was killed, remove exactly what the
// record lists.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "../network.h"
#include "../vserver_client.h"
#include "../vserver_proto.h"
#include "config.h"

namespace vs::guest {

// The directory interfaces/<dir> that iface was read from.
std::filesystem::path interfaceDir(const GuestConfig& config, const InterfaceConfig& iface);

// The address text holds, which the config reader validated when it read
// file; throws ConfigError naming file for a config built otherwise.
IpAddress validatedAddress(const std::filesystem::path& file, const std::string& text);

// nflags and ncapabilities over util-vserver's secure defaults,
// interfaces/lback, and the addresses in interfaces/ order.
NetworkSet networkSetOf(const GuestConfig& config);

// How start puts the address of iface on its device: its prefix, the
// subnet's broadcast (IPv4), label DEV:NAME when it has a name (IPv4:
// Linux labels no IPv6 address).  Throws ConfigError when the label is
// too long for the kernel.
HostAddress hostAddressOf(const GuestConfig& config, const InterfaceConfig& iface);

// The host addresses start adds for config, given what the host has and
// what the other running contexts hold; throws ConfigError naming the
// interface at fault for an address it may not take (see addressConflict),
// an address listed twice, too many addresses, or a loopback address
// another context has.  An address already on the host (shared) is not
// added, so that stop never removes what was there before.
std::vector<HostAddress> plannedHostAddresses(const GuestConfig& config,
                                              const std::vector<IpAddress>& hostAddresses,
                                              const std::vector<ContextInfo>& contexts);

// The run state's lines, "DEV ADDR/PREFIX" each; parsing skips what is
// not such a line.
std::string formatAddressRecord(const HostAddress& address);
std::vector<HostAddress> parseAddressRecord(const std::string& text);

// Under the interfaces lock: checks, adds and records config's addresses
// and sets their devices up (unless down).  On failure removes what it
// added and throws.
void addGuestAddresses(const GuestConfig& config, VserverClient& client);

// Removes what the guest's record lists from the host, then the record.
void removeGuestAddresses(const GuestConfig& config);

}  // namespace vs::guest
