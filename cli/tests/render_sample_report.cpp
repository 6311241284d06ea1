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
  auto cell = [&](std::string scenario, std::string backend, CellVerdict v, std::string detail) {
    Cell c;
    c.scenario = std::move(scenario);
    c.spec_path = c.scenario + ".yaml";
    c.backend = std::move(backend);
    c.profile = "strict";
    c.verdict = v;
    c.detail = std::move(detail);
    c.seconds = 0.1;
    m.cells.push_back(c);
    return &m.cells.back();
  };
  cell("pool-basic", "sim", CellVerdict::conforms, "3 seeds");
  Cell* bad = cell("pool-basic", "real", CellVerdict::violates, "model cannot explain event #3");
  bad->evidence = {"{\"t\":1}"};
  bad->reproduce = "sigharness run pool-basic.yaml";
  cell("cron-step", "sim", CellVerdict::conforms, "");
  cell("cron-step", "real", CellVerdict::skipped, "wall clock steps");
  cell("cron-long", "real", CellVerdict::conforms, "")->caveat =
      "at time scale 8 (real_time_scale)";
  m.divergences.push_back(
      {"docs-fully-reliable", "the docs say fully reliable; uWSGI drops past 278 bytes"});
  std::ofstream f(argv[1]);
  f << render_html(m);
  return f ? 0 : 1;
}
