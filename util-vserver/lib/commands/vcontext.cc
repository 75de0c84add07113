#include "vcontext.h"

#include <linux/vserver.h>
#include <popt.h>
#include <unistd.h>

#include <cerrno>

#include "../error.h"
#include "../exec.h"
#include "../number.h"
#include "../popt_parser.h"
#include "../tool.h"
#include "../vserver_client.h"

namespace vs::vcontext {

Options parseOptions(int argc, const char** argv) {
  int create = 0, migrate = 0, setup = 0, chroot = 0;
  char* xid = nullptr;
  char* name = nullptr;
  const poptOption table[] = {
      {"create", 0, POPT_ARG_NONE, &create, 0, "create a new context and enter it", nullptr},
      {"migrate", 0, POPT_ARG_NONE, &migrate, 0, "enter an existing context", nullptr},
      {"xid", 0, POPT_ARG_STRING, &xid, 0, "the context id", "N"},
      {"name", 0, POPT_ARG_STRING, &name, 0, "name of the new context (with --create)", "NAME"},
      {"setup", 0, POPT_ARG_NONE, &setup, 0,
       "leave the new context in its setup state (with --create)", nullptr},
      {"chroot", 0, POPT_ARG_NONE, &chroot, 0, "make the current directory the root first",
       nullptr},
      POPT_AUTOHELP POPT_TABLEEND};
  PoptParser parser("vcontext", argc, argv, table, "(--create|--migrate) --xid N -- COMMAND [ARG...]");
  // popt hands string arguments over to us.
  const std::unique_ptr<char, decltype(&free)> xidOwner(xid, free), nameOwner(name, free);

  Options options;
  if (create == migrate) throwUsage("give exactly one of --create and --migrate");
  options.mode = create ? Mode::Create : Mode::Migrate;
  if (!xid) throwUsage("--xid is required");
  options.xid = create ? parseXid(xid, VSERVER_GUEST_XID_MIN, VSERVER_GUEST_XID_MAX)
                       : parseXid(xid, VSERVER_SPECTATOR_XID, VSERVER_GUEST_XID_MAX);
  if (name) {
    if (!create) throwUsage("--name only goes with --create");
    options.name = name;
  }
  if (setup && !create) throwUsage("--setup only goes with --create");
  options.setup = setup;
  options.chroot = chroot;
  options.command = parser.arguments();
  if (options.command.empty()) throwUsage("no command given");
  return options;
}

void run(const Options& options) {
  if (options.chroot && ::chroot(".") != 0) throwErrno("chroot to the current directory");
  {
    VserverClient client;
    try {
      if (options.mode == Mode::Create) {
        ContextPolicy policy;
        policy.flags = options.setup ? VSERVER_CF_STATE_SETUP : 0;
        client.createContext(options.xid, options.name, policy);
      } else {
        client.migrate(options.xid);
      }
    } catch (const Error& e) {
      if (e.errnum() == EEXIST) throw Error(e.errnum(), e.what(), kExitExists);
      throw;
    }
  }
  execCommand(options.command);
}

int main(int argc, const char** argv) {
  return runTool("vcontext", [&]() -> int { run(parseOptions(argc, argv)); });
}

}  // namespace vs::vcontext
