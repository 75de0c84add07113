#include "commands/start_vservers.h"

int main(int argc, const char** argv) { return vs::start_vservers::main(argc, argv); }
