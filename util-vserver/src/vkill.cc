#include "commands/vkill.h"

int main(int argc, const char** argv) { return vs::vkill::main(argc, argv); }
