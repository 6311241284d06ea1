#pragma once
// Model-based test of target semantics (issue property 1 and 3): a model of
// who must run each handler, driven by rapidcheck command sequences (raise,
// cheap, spawn). The model is the prediction; the simulator is the system
// under test; the trace is compared with the prediction.
#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "scenario_build.h"

namespace sigh::prop {

struct TargetModel {
  Topology topo;
  Profile profile = Profile::strict;
  Mutation mutation = Mutation::none;
  std::vector<std::pair<int, std::string>> regs;  // (signal, target), registered by the master
  std::vector<bool> cheaped;                      // 1..workers
  Nanos now = 0;
  int commands = 0;
  struct Prediction {
    std::map<std::string, int> exact;  // process -> handler runs
    int pool = 0;                      // handler runs by exactly one of pool_allowed each
    std::set<std::string> pool_allowed;
    int rejects = 0;
  };
  std::map<int, Prediction> pred;
  std::map<int, std::map<int, int>>
      backlog;  // uwsgi-2.0: worker -> signal -> bytes queued while cheaped
};

using TargetCommand = rc::state::Command<TargetModel, Scenario>;

// Generates a model (topology + registrations) for a profile and mutation.
rc::Gen<TargetModel> gen_target_model(Profile profile, Mutation mutation);
// Runs the whole property once (inside rc::check). Returns the number of commands.
int check_targets_once(Profile profile, Mutation mutation);

}  // namespace sigh::prop
