#include "commands/vattribute.h"

int main(int argc, const char** argv) { return vs::vattribute::main(argc, argv); }
