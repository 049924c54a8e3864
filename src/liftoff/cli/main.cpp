// liftoff: the command-line entry point. Each subcommand lives in its own file in cli/.
#include <cstdio>

int main(int argc, char** argv) {
  std::puts("liftoff");
  return 0;
}
