// vserver NAME build: a new guest's configuration directory and root.
//
//   vserver NAME build -m METHOD [--context N] [--hostname H]
//       [--interface [NAME=][DEV:]IP[/PREFIX]]... [--initstyle S]
//       [--rootdir DIR] [--force] [--] [METHOD-ARGS...]
//
//   skeleton   [-- COMMAND...]            empty root with the base dirs; COMMAND
//                                         then runs in the new root
//   template   -- -t TARBALL [--sha256 HEX]  unpack a tarball (tar auto-detects
//                                         the compression; HEX checked first)
//   clone      -- --source GUEST|DIR      copy another guest's root (cp -a)
//   debootstrap -- -d SUITE [-m MIRROR] [-s SCRIPT]  run debootstrap (needs
//                                         the archive)
//
// Device nodes a method brings outside /dev (a template's, a clone's) are
// removed with a warning: a guest gets its devices from the fresh /dev
// start gives it, and the root is mounted nodev.
//
// Every method creates the cfgdir (context, uts/nodename, interfaces/N,
// apps/init/style, fstab, vdir link, run link) and the root with its
// device nodes and the host files util-vserver copies in.  A build that
// fails removes everything it created (the cfgdir, the root and any
// parent directories it had to make) and puts back what --force moved
// aside; it never deletes a directory it did not create.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config.h"
#include "devices.h"
#include "paths.h"
#include "state.h"

namespace vs::guest {

enum class BuildMethod { Skeleton, Template, Clone, Debootstrap };

struct BuildOptions {
  BuildMethod method = BuildMethod::Skeleton;
  // Else .defaults/context.next (advanced once the build succeeded), else
  // the smallest id from 40000 up that no guest's context file holds.
  std::optional<uint32_t> xid;
  std::optional<std::string> hostname;   // uts/nodename, default the guest name
  std::vector<std::string> interfaces;   // as given to --interface
  std::optional<std::string> initStyle;  // apps/init/style
  std::optional<std::string> rootDir;    // the vdir base, default .defaults/vdirbase or /vservers
  bool force = false;                    // replace an existing guest (moved aside, then removed)
  std::vector<std::string> methodArguments;  // after "--"; checked again by buildGuest
};

// Parses the arguments after "build" (argv[0] is "build"), the method's
// arguments included, so that usage errors come before any change.
BuildOptions parseBuildOptions(int argc, const char** argv);

// One --interface [NAME=][DEV:]IP[/PREFIX].  DEV is taken from before the
// first ':' only when the whole of DEV:IP is not itself an address, so an
// IPv6 address without a device stays whole; "nodev:" means no device.
struct InterfaceSpec {
  std::string label;               // NAME: interfaces/N/name
  std::string dev;                 // empty: interfaces/N/nodev
  std::string ip;                  // IPv4 or IPv6
  std::optional<unsigned> prefix;  // written only when given, so interfaces/prefix applies
};

InterfaceSpec parseInterfaceSpec(const std::string& spec);

// What buildGuest makes the device nodes with: makeDeviceNodes, except in
// the unit tests, which run without CAP_MKNOD.
using DeviceNodeMaker = std::function<void(const std::filesystem::path& dev)>;

// Whether a context exists (state.h's contextExists; the unit tests,
// which have no module, give their own).
using ContextCheck = std::function<bool(uint32_t xid)>;

// Builds guest at location (its name is the cfgdir's basename; its config
// root, scanned for the context ids in use, is the cfgdir's parent).
// Everything that can be checked is checked before the first change: the
// options, an existing guest or root, the xid, the template's SHA-256, the
// clone source, debootstrap being installed.  --force moves the old cfgdir,
// its vdir and a non-empty new root to PATH~EPOCH and removes them only
// once the new guest is complete; it refuses a guest whose context exists
// (asked of the kernel, not the run file).  hosts, nsswitch.conf,
// resolv.conf and localtime come from
// .defaults/files/, else the host's /etc, unless the method brought its own.
// The build holds the guest's lock in lockDir throughout.
void buildGuest(const ConfigLocation& location, const BuildOptions& options,
                const DeviceNodeMaker& makeNodes = makeDeviceNodes,
                const std::filesystem::path& lockDir = kRunDir,
                const ContextCheck& contextRuns = contextExists);

}  // namespace vs::guest
