#include "commands/naddress.h"

int main(int argc, const char** argv) { return vs::naddress::main(argc, argv); }
