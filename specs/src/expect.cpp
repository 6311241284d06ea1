// Evaluates expectations over a trace. Reads events only.
#include "sigharness/expect.h"

#include <algorithm>
#include <string>

namespace sigh {

bool glob_match(std::string_view p, std::string_view t) {
  // Iterative '*' matching with backtracking to the last star.
  std::size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
  while (ti < t.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = ti;
    } else if (pi < p.size() && p[pi] == t[ti]) {
      ++pi;
      ++ti;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

bool event_matches(const EventFilter& f, const TraceEvent& e) {
  if (f.kind && e.kind != *f.kind) return false;
  if (f.sig && e.sig != f.sig) return false;
  if (!f.proc.empty() && !glob_match(f.proc, e.proc)) return false;
  if (!f.queue.empty() && !glob_match(f.queue, e.queue)) return false;
  if (!f.detail_contains.empty() && e.detail.find(f.detail_contains) == std::string::npos)
    return false;
  if (f.value && e.value != f.value) return false;
  if (e.t < f.from || e.t >= f.until) return false;
  return true;
}

namespace {

std::string describe(const Expectation& x) {
  std::string s = x.form + " {";
  std::string sep;
  if (x.filter.kind && x.form == "event")
    s += sep + "kind " + std::string(event_kind_name(*x.filter.kind)), sep = ", ";
  if (x.filter.sig) s += sep + "signal " + std::to_string(*x.filter.sig), sep = ", ";
  if (!x.filter.proc.empty()) s += sep + "by " + x.filter.proc, sep = ", ";
  if (!x.filter.queue.empty()) s += sep + "queue " + x.filter.queue, sep = ", ";
  if (!x.filter.detail_contains.empty())
    s += sep + "detail ~ \"" + x.filter.detail_contains + "\"", sep = ", ";
  return s + "}";
}

std::string seq_str(const std::vector<std::int64_t>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

}  // namespace

std::vector<ExpectationResult> check_expectations(const Scenario& s, Profile profile,
                                                  const Trace& t) {
  std::vector<ExpectationResult> out;
  for (const auto& x : s.expectations) {
    if (!x.profiles.empty() &&
        std::find(x.profiles.begin(), x.profiles.end(), profile) == x.profiles.end())
      continue;
    ExpectationResult r;
    r.expectation = &x;
    std::vector<const TraceEvent*> matched;
    for (const auto& e : t.events)
      if (event_matches(x.filter, e)) matched.push_back(&e);
    if (x.kind == Expectation::Kind::count) {
      auto n = static_cast<std::int64_t>(matched.size());
      bool ok = (!x.exact || n == *x.exact) && (!x.min || n >= *x.min) && (!x.max || n <= *x.max);
      std::string want;
      if (x.exact)
        want = "== " + std::to_string(*x.exact);
      else {
        if (x.min) want += ">= " + std::to_string(*x.min);
        if (x.max)
          want += std::string(want.empty() ? "" : " and ") + "<= " + std::to_string(*x.max);
      }
      r.ok = ok;
      r.message = "expected " + describe(x) + " count " + want + ", observed " + std::to_string(n);
      if (!ok) {
        if (!matched.empty()) {
          std::size_t from = matched.size() > 10 ? matched.size() - 10 : 0;
          for (std::size_t i = from; i < matched.size(); ++i) r.evidence.push_back(*matched[i]);
        } else {
          // Nothing matched: show the last events of that signal (or of that process).
          for (auto it = t.events.rbegin(); it != t.events.rend() && r.evidence.size() < 10; ++it)
            if ((x.filter.sig && it->sig == x.filter.sig) ||
                (!x.filter.sig && !x.filter.proc.empty() && glob_match(x.filter.proc, it->proc)))
              r.evidence.insert(r.evidence.begin(), *it);
        }
      }
    } else {
      std::vector<std::int64_t> got;
      for (const TraceEvent* e : matched)
        got.push_back(x.sequence_uses_value ? e->value.value_or(INT64_MIN) : e->sig.value_or(-1));
      r.ok = got == x.sequence;
      r.message = "expected " + describe(x) + " sequence " + seq_str(x.sequence) + ", observed " +
                  seq_str(got);
      if (!r.ok) {
        std::size_t i = 0;
        while (i < got.size() && i < x.sequence.size() && got[i] == x.sequence[i]) ++i;
        r.message += " (first difference at index " + std::to_string(i) + ")";
        std::size_t lo = i >= 3 ? i - 3 : 0;
        for (std::size_t k = lo; k < matched.size() && k < i + 4; ++k)
          r.evidence.push_back(*matched[k]);
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace sigh
