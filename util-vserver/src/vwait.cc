#include "commands/vwait.h"

int main(int argc, const char** argv) { return vs::vwait::main(argc, argv); }
