// vserver NAME build: a new guest's configuration directory and root.
//
//   vserver NAME build -m METHOD [--context N] [--hostname H]
//       [--interface [NAME=][DEV:]IP[/PREFIX]]... [--initstyle S]
//       [--rootdir DIR] [--force] [--] [METHOD-ARGS...]
//
//   skeleton   [-- COMMAND...]            empty root with the base dirs
//   template   -- -t TARBALL [--sha256 HEX]  unpack a tarball (tar xf)
//   clone      -- --source GUEST|DIR      copy another guest's root
//   debootstrap -- -d SUITE [-m MIRROR]   run debootstrap (needs the archive)
//
// Every method creates the cfgdir (context, uts/nodename, interfaces/N,
// apps/init/style, fstab, vdir link, run link) and the root with its
// device nodes and the host files util-vserver copies in.  A build that
// fails removes everything it created: the cfgdir and the root.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config.h"

namespace vs::guest {

enum class BuildMethod { Skeleton, Template, Clone, Debootstrap };

struct BuildOptions {
  BuildMethod method = BuildMethod::Skeleton;
  std::optional<uint32_t> xid;           // else .defaults/context.next, else 40000 upwards... see build.cc
  std::optional<std::string> hostname;   // uts/nodename
  std::vector<std::string> interfaces;   // as given to --interface
  std::optional<std::string> initStyle;  // apps/init/style
  std::optional<std::string> rootDir;    // the vdir base, default .defaults/vdirbase or /vservers
  bool force = false;                    // replace an existing guest (moved aside, then removed)
  std::vector<std::string> methodArguments;
};

// Parses the arguments after "build" (argv[0] is "build").
BuildOptions parseBuildOptions(int argc, const char** argv);

// Builds guest at location (its name is the cfgdir's basename).
void buildGuest(const ConfigLocation& location, const BuildOptions& options);

}  // namespace vs::guest
