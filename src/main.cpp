#include "cli/app.h"

int main(int argc, char** argv) { return mysql2ch::run_cli(argc, argv); }
