// The device nodes of a guest.  At start the guest gets a fresh /dev, a
// tmpfs holding only the nodes below, and every other mount of the guest
// is nodev: a host device a template, a clone or debootstrap brought
// along (the host's disk, its console) opens nothing.  build drops such
// nodes outside /dev with a warning.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "config.h"

namespace vs::guest {

// Makes the character devices util-vserver gives every guest (null, zero,
// full, random, urandom, tty, ptmx; mode 0666) in dev, leaving those that
// exist (a template's or a clone's) alone.  mknod needs CAP_MKNOD.
void makeDeviceNodes(const std::filesystem::path& dev);

// Copies into dev the host nodes of the device map (apps/vdevmap/) that
// the guest may open and that lie under the host's /dev, each at its path
// below it (parent directories 0755), with its type, numbers, mode and
// owner; leaves those that exist alone.  The other rules only extend the
// kernel's map: the guest opens such a device through a node of its own.
void makeMappedDeviceNodes(const std::filesystem::path& dev,
                           const std::vector<DeviceMapEntry>& devices);

// The rest of util-vserver's /dev: the fd, stdin, stdout, stderr links
// into /proc and the pts and shm directories, where missing.
void makeDevEntries(const std::filesystem::path& dev);

// The character and block devices under root, its top-level dev/ aside,
// without following links.
std::vector<std::filesystem::path> deviceNodesOutsideDev(const std::filesystem::path& root);

// Removes them, one warning line on standard error for each, naming guest.
void dropDeviceNodesOutsideDev(const std::filesystem::path& root, const std::string& guest);

}  // namespace vs::guest
