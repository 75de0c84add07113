#include "commands/vdlimit.h"

int main(int argc, const char** argv) { return vs::vdlimit::main(argc, argv); }
