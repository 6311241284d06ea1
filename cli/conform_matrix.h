#pragma once
// The conformance matrix: scenario × backend × profile cells, each with a
// verdict, and the renderers (JUnit XML, self-contained HTML).
#include <string>
#include <vector>

namespace sigh::cli {

enum class CellVerdict { conforms, violates, unknown, skipped, not_applicable, error };
std::string_view cell_verdict_name(CellVerdict v);

struct Cell {
  std::string scenario;  // name
  std::string spec_path;
  std::string backend;  // sim | real | uwsgi
  std::string profile;  // strict | uwsgi-2.0
  CellVerdict verdict = CellVerdict::unknown;
  std::string detail;                 // one line: summary, skip reason, first violation
  std::vector<std::string> evidence;  // trace lines / allowed alternatives
  std::string trace_file;             // relative to the report dir
  std::string reproduce;              // exact command
  double seconds = 0;
  std::string caveat;  // shown whatever the verdict (e.g. "at time scale 8")
};

struct Matrix {
  std::vector<Cell> cells;
  std::vector<std::string> notes;  // missing backends and how to install them, faking self-test...
  // Scenarios that demonstrate where uWSGI 2.0.21 contradicts its documentation
  // (specs/scenarios/docs-*.yaml): name -> description.
  std::vector<std::pair<std::string, std::string>> divergences;
  std::string commit;
  std::string machine;
};

std::string render_junit(const Matrix& m);
std::string render_html(const Matrix& m);

}  // namespace sigh::cli
