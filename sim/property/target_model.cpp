#include "target_model.h"

#include <fmt/format.h>

#include <variant>

namespace sigh::prop {
namespace {

std::string worker(int i) { return fmt::format("worker{}", i); }

std::vector<std::string> valid_targets(const Topology& t) {
  std::vector<std::string> out = {"", "worker", "worker0", "workers", "active-workers"};
  for (int i = 1; i <= t.workers; ++i) out.push_back(worker(i));
  if (t.mules > 0) {
    out.insert(out.end(), {"mules", "mule", "mule0"});
    for (int i = 1; i <= t.mules; ++i) out.push_back(fmt::format("mule{}", i));
  }
  for (std::size_t i = 0; i < t.farms.size(); ++i) {
    out.push_back("farm_" + t.farms[i].name);
    out.push_back(fmt::format("farm{}", i + 1));
  }
  if (t.spoolers > 0) out.push_back("spooler");
  return out;
}

// The model's reading of one routed byte (specs/SEMANTICS.md, C4/U5/S7).
void predict(TargetModel& m, int sig, const std::string& target) {
  auto& p = m.pred[sig];
  auto parsed = std::get<Target>(parse_target_strict(target));
  const int w = m.topo.workers;
  auto live = [&](int i) { return !m.cheaped[static_cast<std::size_t>(i)]; };
  switch (parsed.kind) {
    case TargetKind::worker_pool:
      ++p.pool;
      for (int i = 1; i <= w; ++i)
        if (live(i) && (m.mutation != Mutation::pool_always_worker1 || i == 1))
          p.pool_allowed.insert(worker(i));
      return;
    case TargetKind::all_workers: {
      int last = m.mutation == Mutation::workers_skip_last ? w - 1 : w;
      for (int i = 1; i <= last; ++i) {
        if (live(i))
          ++p.exact[worker(i)];
        else if (m.profile == Profile::uwsgi_2_0)
          ++m.backlog[i][sig];  // U5: the slot queues it
      }
      return;
    }
    case TargetKind::active_workers:
      for (int i = 1; i <= w; ++i)
        if (live(i) || m.mutation == Mutation::active_includes_cheaped) ++p.exact[worker(i)];
      return;
    case TargetKind::worker:
      if (live(parsed.index))
        ++p.exact[worker(parsed.index)];
      else if (m.profile == Profile::uwsgi_2_0)
        ++m.backlog[parsed.index][sig];
      else
        ++p.rejects;  // S7
      return;
    case TargetKind::all_mules:
      for (int i = 1; i <= m.topo.mules; ++i) ++p.exact[fmt::format("mule{}", i)];
      return;
    case TargetKind::mule_pool:
      ++p.pool;
      for (int i = 1; i <= m.topo.mules; ++i) p.pool_allowed.insert(fmt::format("mule{}", i));
      return;
    case TargetKind::mule:
      ++p.exact[fmt::format("mule{}", parsed.index)];
      return;
    case TargetKind::farm_name:
    case TargetKind::farm_index: {
      const Farm* f = nullptr;
      for (std::size_t i = 0; i < m.topo.farms.size(); ++i)
        if ((parsed.kind == TargetKind::farm_name && m.topo.farms[i].name == parsed.farm) ||
            (parsed.kind == TargetKind::farm_index && static_cast<int>(i) + 1 == parsed.index))
          f = &m.topo.farms[i];
      ++p.pool;
      for (int mule : f->mules) p.pool_allowed.insert(fmt::format("mule{}", mule));
      return;
    }
    case TargetKind::spooler:
      ++p.pool;
      for (int i = 1; i <= m.topo.spoolers; ++i) p.pool_allowed.insert(fmt::format("spooler{}", i));
      return;
  }
}

struct Raise : TargetCommand {
  int reg = 0;
  int from = 1;
  explicit Raise(const TargetModel& m)
      : reg(*rc::gen::inRange<int>(0, static_cast<int>(m.regs.size()))),
        from(*rc::gen::inRange<int>(1, m.topo.workers + 1)) {}
  void checkPreconditions(const TargetModel& m) const override {
    RC_PRE(reg < static_cast<int>(m.regs.size()));
    RC_PRE(!m.cheaped[static_cast<std::size_t>(from)]);
  }
  void apply(TargetModel& m) const override {
    m.now += kStep;
    ++m.commands;
    predict(m, m.regs[static_cast<std::size_t>(reg)].first,
            m.regs[static_cast<std::size_t>(reg)].second);
  }
  void run(const TargetModel& m, Scenario& sc) const override {
    sc.script.push_back(
        {{},
         m.now + kStep,
         RaiseAction{static_cast<SignalNumber>(m.regs[static_cast<std::size_t>(reg)].first),
                     ProcessId::worker(from), 1}});
  }
  void show(std::ostream& os) const override {
    os << "raise(reg " << reg << ", from worker" << from << ")";
  }
};

struct Cheap : TargetCommand {
  int k = 1;
  explicit Cheap(const TargetModel& m) : k(*rc::gen::inRange<int>(1, m.topo.workers + 1)) {}
  void checkPreconditions(const TargetModel& m) const override {
    RC_PRE(!m.cheaped[static_cast<std::size_t>(k)]);
    int live = 0;
    for (int i = 1; i <= m.topo.workers; ++i) live += !m.cheaped[static_cast<std::size_t>(i)];
    RC_PRE(live >= 2);  // keep one worker to raise from
  }
  void apply(TargetModel& m) const override {
    m.now += kStep;
    ++m.commands;
    m.cheaped[static_cast<std::size_t>(k)] = true;
  }
  void run(const TargetModel& m, Scenario& sc) const override {
    sc.script.push_back(
        {{}, m.now + kStep, LifecycleAction{LifecycleAction::cheap, ProcessId::worker(k)}});
  }
  void show(std::ostream& os) const override { os << "cheap(worker" << k << ")"; }
};

struct Spawn : TargetCommand {
  int k = 1;
  explicit Spawn(const TargetModel& m) : k(*rc::gen::inRange<int>(1, m.topo.workers + 1)) {}
  void checkPreconditions(const TargetModel& m) const override {
    RC_PRE(m.cheaped[static_cast<std::size_t>(k)]);
  }
  void apply(TargetModel& m) const override {
    m.now += kStep;
    ++m.commands;
    m.cheaped[static_cast<std::size_t>(k)] = false;
    // U5: the new incarnation drains what its slot queued (uwsgi-2.0 only).
    for (auto& [sig, n] : m.backlog[k]) m.pred[sig].exact[worker(k)] += n;
    m.backlog[k].clear();
  }
  void run(const TargetModel& m, Scenario& sc) const override {
    sc.script.push_back(
        {{}, m.now + kStep, LifecycleAction{LifecycleAction::spawn, ProcessId::worker(k)}});
  }
  void show(std::ostream& os) const override { os << "spawn(worker" << k << ")"; }
};

}  // namespace

rc::Gen<TargetModel> gen_target_model(Profile profile, Mutation mutation) {
  return rc::gen::exec([profile, mutation] {
    TargetModel m;
    m.profile = profile;
    m.mutation = mutation;
    m.topo.workers = *rc::gen::inRange(2, 6);
    m.topo.mules = *rc::gen::inRange(0, 3);
    m.topo.spoolers = *rc::gen::inRange(0, 2);
    if (m.topo.mules > 0 && *rc::gen::arbitrary<bool>()) m.topo.farms.push_back({"f", {1}});
    if (*rc::gen::arbitrary<bool>())
      m.topo.cheaper_initial = *rc::gen::inRange(1, m.topo.workers + 1);
    m.cheaped.assign(static_cast<std::size_t>(m.topo.workers) + 1, false);
    for (int i = 1; i <= m.topo.workers; ++i)
      m.cheaped[static_cast<std::size_t>(i)] =
          m.topo.cheaper_initial >= 0 && i > m.topo.cheaper_initial;
    auto targets = valid_targets(m.topo);
    int nregs = *rc::gen::inRange(1, 4);
    for (int s = 0; s < nregs; ++s) m.regs.emplace_back(10 + s, *rc::gen::elementOf(targets));
    return m;
  });
}

int check_targets_once(Profile profile, Mutation mutation) {
  TargetModel m0 = *gen_target_model(profile, mutation);
  auto cmds =
      *rc::state::gen::commands(m0, rc::state::gen::execOneOfWithArgs<Raise, Cheap, Spawn>());
  Scenario sc = base_scenario(m0.topo, profile);
  for (const auto& [sig, target] : m0.regs) {
    Registration r;
    r.sig = static_cast<SignalNumber>(sig);
    r.target = target;
    sc.registrations.push_back(r);
  }
  rc::state::runAll(cmds, m0, sc);
  TargetModel m = m0;
  rc::state::applyAll(cmds, m);
  sc.duration = m.now + 2 * kStep;
  g_case_size = m.commands;
  auto result = run(sc, profile, 1);
  auto handled = handled_counts(result.trace);
  RC_LOG() << counterexample(sc, profile, 1);
  for (const auto& [sig, p] : m.pred) {
    for (const auto& [proc, n] : p.exact) {
      int got = handled.count({sig, proc}) ? handled[{sig, proc}] : 0;
      int pool_part = 0;  // pool runs are checked below
      if (p.pool_allowed.count(proc)) continue;
      RC_ASSERT(got - pool_part == n);
    }
    int pool_runs = 0;
    for (const auto& [key, n] : handled) {
      if (key.first != sig) continue;
      if (p.exact.count(key.second) && !p.pool_allowed.count(key.second)) continue;
      // Every pool run must be by an allowed process.
      RC_ASSERT(p.pool_allowed.count(key.second) == 1u);
      pool_runs += n;
    }
    int exact_in_pool = 0;
    for (const auto& [proc, n] : p.exact)
      if (p.pool_allowed.count(proc)) exact_in_pool += n;
    RC_ASSERT(pool_runs == p.pool + exact_in_pool);
    if (profile == Profile::strict)
      RC_ASSERT(count_events(result.trace, EventKind::reject, sig) == p.rejects);
  }
  // Nobody else ran any handler.
  for (const auto& [key, n] : handled) {
    auto it = m.pred.find(key.first);
    RC_ASSERT(it != m.pred.end());
    RC_ASSERT(it->second.exact.count(key.second) + it->second.pool_allowed.count(key.second) >= 1u);
  }
  return m.commands;
}

}  // namespace sigh::prop
