#include "commands/vps.h"

int main(int argc, const char** argv) { return vs::vps::main(argc, argv); }
