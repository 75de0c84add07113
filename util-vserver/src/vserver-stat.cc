#include "commands/vserver_stat.h"

int main(int argc, const char** argv) { return vs::vserver_stat::main(argc, argv); }
