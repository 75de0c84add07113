#include "commands/vlimit.h"

int main(int argc, const char** argv) { return vs::vlimit::main(argc, argv); }
