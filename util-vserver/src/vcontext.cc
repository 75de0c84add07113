#include "commands/vcontext.h"

int main(int argc, const char** argv) { return vs::vcontext::main(argc, argv); }
