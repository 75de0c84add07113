#include "commands/vserver.h"

int main(int argc, const char** argv) { return vs::vserver::main(argc, argv); }
