// Writes a sample conformance report (one cell of each verdict) to argv[1],
// for the headless-browser screenshot test.
#include <fstream>
#include <iostream>

#include "conform_matrix.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: render_sample_report OUT.html\n";
    return 2;
  }
  using namespace sigh::cli;
  Matrix m;
  m.commit = "sample";
  m.machine = "test";
  m.cells.push_back(
      {"pool-basic", "a.yaml", "sim", "strict", CellVerdict::conforms, "3 seeds", {}, "", "", 0.1});
  m.cells.push_back({"pool-basic",
                     "a.yaml",
                     "real",
                     "strict",
                     CellVerdict::violates,
                     "model cannot explain event #3",
                     {"{\"t\":1}"},
                     "",
                     "sigharness run a.yaml",
                     0.1});
  m.cells.push_back(
      {"cron-step", "b.yaml", "sim", "strict", CellVerdict::conforms, "", {}, "", "", 0.1});
  m.cells.push_back({"cron-step",
                     "b.yaml",
                     "real",
                     "strict",
                     CellVerdict::skipped,
                     "wall clock steps",
                     {},
                     "",
                     "",
                     0});
  m.divergences.push_back(
      {"docs-fully-reliable", "the docs say fully reliable; uWSGI drops past 278 bytes"});
  std::ofstream f(argv[1]);
  f << render_html(m);
  return f ? 0 : 1;
}
