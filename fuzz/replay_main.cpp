// Replay driver: runs LLVMFuzzerTestOneInput over files and directories, so
// every corpus file is exercised by `ctest -L fuzz` with any compiler (gcc
// included). With libFuzzer (clang) this file is not used.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace fs = std::filesystem;

static bool run_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) {
    std::fprintf(stderr, "replay: cannot read %s\n", p.c_str());
    return false;
  }
  std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  return true;
}

int main(int argc, char** argv) {
  std::size_t files = 0;
  bool ok = true;
  for (int i = 1; i < argc; ++i) {
    fs::path arg(argv[i]);
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
      std::vector<fs::path> entries;
      for (const auto& e : fs::recursive_directory_iterator(arg, ec))
        if (e.is_regular_file()) entries.push_back(e.path());
      std::sort(entries.begin(), entries.end());
      for (const auto& p : entries) ok &= run_file(p), ++files;
    } else {
      ok &= run_file(arg), ++files;
    }
  }
  if (files == 0) {
    std::fprintf(stderr, "replay: no input files (a corpus directory must not be empty)\n");
    return 1;
  }
  std::printf("replay: %zu inputs ran without a crash\n", files);
  return ok ? 0 : 1;
}
