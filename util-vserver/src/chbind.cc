#include "commands/chbind.h"

int main(int argc, const char** argv) { return vs::chbind::main(argc, argv); }
