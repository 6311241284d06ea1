#include <fmt/format.h>

#include <map>
#include <set>

#include "conform_matrix.h"

namespace sigh::cli {

std::string_view cell_verdict_name(CellVerdict v) {
  switch (v) {
    case CellVerdict::conforms:
      return "conforms";
    case CellVerdict::violates:
      return "violates";
    case CellVerdict::unknown:
      return "unknown";
    case CellVerdict::skipped:
      return "skipped";
    case CellVerdict::not_applicable:
      return "not-applicable";
    case CellVerdict::error:
      return "error";
  }
  return "?";
}

namespace {

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        // XML 1.0 forbids most control characters; replace them.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t')
          out += '?';
        else
          out += c;
    }
  }
  return out;
}

}  // namespace

std::string render_junit(const Matrix& m) {
  std::map<std::string, std::vector<const Cell*>> suites;
  for (const auto& c : m.cells) suites[c.backend + "." + c.profile].push_back(&c);
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"sigharness-conform\">\n";
  for (const auto& [name, cells] : suites) {
    int failures = 0, errors = 0, skipped = 0;
    for (const Cell* c : cells) {
      failures += c->verdict == CellVerdict::violates;
      errors += c->verdict == CellVerdict::error;
      skipped += c->verdict == CellVerdict::skipped || c->verdict == CellVerdict::not_applicable;
    }
    out += fmt::format(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">\n",
        xml_escape(name), cells.size(), failures, errors, skipped);
    for (const Cell* c : cells) {
      out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\"",
                         xml_escape(name), xml_escape(c->scenario), c->seconds);
      std::string body;
      switch (c->verdict) {
        case CellVerdict::violates:
          body = fmt::format("      <failure message=\"{}\">{}\nreproduce: {}</failure>\n",
                             xml_escape(c->detail),
                             xml_escape(fmt::format("{}", fmt::join(c->evidence, "\n"))),
                             xml_escape(c->reproduce));
          break;
        case CellVerdict::error:
          body = fmt::format("      <error message=\"{}\"/>\n", xml_escape(c->detail));
          break;
        case CellVerdict::skipped:
        case CellVerdict::not_applicable:
          body = fmt::format("      <skipped message=\"{}: {}\"/>\n", cell_verdict_name(c->verdict),
                             xml_escape(c->detail));
          break;
        default:
          break;
      }
      if (body.empty())
        out += "/>\n";
      else
        out += ">\n" + body + "    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

std::string render_html(const Matrix& m) {
  std::vector<std::string> columns;  // backend/profile, in first-seen order
  std::set<std::string> seen;
  std::vector<std::string> rows;
  std::set<std::string> seen_rows;
  std::map<std::pair<std::string, std::string>, const Cell*> at;
  for (const auto& c : m.cells) {
    std::string col = c.backend + " / " + c.profile;
    if (seen.insert(col).second) columns.push_back(col);
    if (seen_rows.insert(c.scenario).second) rows.push_back(c.scenario);
    at[{c.scenario, col}] = &c;
  }
  std::map<CellVerdict, int> totals;
  for (const auto& c : m.cells) ++totals[c.verdict];

  std::string h;
  h += "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  h += "<title>sigharness conformance</title>\n<style>\n";
  h += "body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}\n";
  h += "table.matrix{border-collapse:collapse}\n";
  h += ".matrix th,.matrix td{border:1px solid #bbb;padding:4px "
       "8px;vertical-align:top;font-size:13px}\n";
  h += ".matrix th{background:#eee}\n";
  h += "td.conforms{background:#b7e4b0}td.violates{background:#f4a7a7}td.unknown{background:#"
       "fde68a}\n";
  h += "td.skipped,td.not-applicable{background:#e5e7eb;color:#555}td.error{background:#f87171}\n";
  h += "td.none{background:#fff}\n.detail{font-size:11px;max-width:28em;white-space:pre-wrap}\n";
  h += "code{font-size:11px}\n</style></head><body>\n";
  h += "<h1>sigharness conformance</h1>\n";
  h += fmt::format("<p>commit <code>{}</code> · {}</p>\n", xml_escape(m.commit),
                   xml_escape(m.machine));
  h += "<p id=\"totals\">";
  for (const auto& [v, n] : totals)
    h += fmt::format("{}: <b>{}</b> &nbsp; ", cell_verdict_name(v), n);
  h += "</p>\n";
  if (!m.notes.empty()) {
    h += "<ul class=\"notes\">\n";
    for (const auto& n : m.notes) h += "<li>" + xml_escape(n) + "</li>\n";
    h += "</ul>\n";
  }
  h += "<table class=\"matrix\" id=\"matrix\">\n<tr><th>scenario</th>";
  for (const auto& c : columns) h += "<th>" + xml_escape(c) + "</th>";
  h += "</tr>\n";
  for (const auto& r : rows) {
    h += "<tr><th>" + xml_escape(r) + "</th>";
    for (const auto& col : columns) {
      auto it = at.find({r, col});
      if (it == at.end()) {
        h += "<td class=\"none\">—</td>";
        continue;
      }
      const Cell& c = *it->second;
      h += fmt::format("<td class=\"{}\"><b>{}</b>", cell_verdict_name(c.verdict),
                       cell_verdict_name(c.verdict));
      if (!c.trace_file.empty())
        h += fmt::format(" · <a href=\"{}\">trace</a>", xml_escape(c.trace_file));
      if (!c.caveat.empty()) h += "<div class=\"detail caveat\">" + xml_escape(c.caveat) + "</div>";
      if (!c.detail.empty() && c.verdict != CellVerdict::conforms)
        h += "<div class=\"detail\">" + xml_escape(c.detail) + "</div>";
      if (c.verdict == CellVerdict::violates) {
        for (const auto& e : c.evidence)
          h += "<div class=\"detail\"><code>" + xml_escape(e) + "</code></div>";
        h += "<div class=\"detail\">reproduce: <code>" + xml_escape(c.reproduce) + "</code></div>";
      }
      h += "</td>";
    }
    h += "</tr>\n";
  }
  h += "</table>\n";
  if (!m.divergences.empty()) {
    h += "<h2>Divergences: uWSGI 2.0.21 vs its documentation</h2>\n<ul id=\"divergences\">\n";
    for (const auto& [name, description] : m.divergences) {
      h += "<li><b>" + xml_escape(name) + "</b>: " + xml_escape(description);
      for (const auto& c : m.cells)
        if (c.scenario == name)
          h += fmt::format(" [{}/{}: {}]", xml_escape(c.backend), xml_escape(c.profile),
                           cell_verdict_name(c.verdict));
      h += "</li>\n";
    }
    h += "</ul>\n";
  }
  h += "</body></html>\n";
  return h;
}

}  // namespace sigh::cli
