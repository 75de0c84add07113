#include "commands/vserver_info.h"

int main(int argc, const char** argv) { return vs::vserver_info::main(argc, argv); }
