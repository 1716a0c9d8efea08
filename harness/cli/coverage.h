// The coverage table: which behaviours (cases/behaviours.tsv) the case
// library pins down, in which case files, over which socket kinds, types and
// modes. Generated from the cases themselves, never edited by hand.
//
//   coverage --behaviours cases/behaviours.tsv --gaps cases/gaps.tsv cases
#ifndef SOCKSPEC_HARNESS_CLI_COVERAGE_H_
#define SOCKSPEC_HARNESS_CLI_COVERAGE_H_

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "harness/lang/frontend.h"
#include "harness/plan/plan.h"

namespace sockspec {

// One behaviour of cases/behaviours.tsv: "B04", its short name and sources.
struct Behaviour {
  std::string id;
  std::string name;
  std::string sources;
};

// Parses the tab-separated list (id, name, sources; '#' comments). An error
// names the line.
absl::StatusOr<std::vector<Behaviour>> ParseBehaviours(const std::string& path,
                                                       const std::string& text);

// The sockets one plan makes: {kind, type} pairs such as {"abstract",
// "SOCK_DGRAM"}, and whether it uses blocking and non-blocking calls.
struct PlanSockets {
  std::set<std::pair<std::string, std::string>> kinds_types;
  bool blocking = false;
  bool nonblocking = false;
};
PlanSockets SocketsOf(const Plan& plan);

// What the table says of one behaviour.
struct BehaviourCoverage {
  std::set<std::string> files;
  std::set<std::pair<std::string, std::string>> kinds_types;
  bool blocking = false;
  bool nonblocking = false;
};

// Folds every loaded case's plans into per-behaviour coverage. `root` is
// stripped from paths ("cases/").
std::map<std::string, BehaviourCoverage> Collect(
    const std::vector<LoadedCase>& cases, const std::string& root);

// The Markdown table. `gaps` maps an id to what part of it no case pins down
// and why (cases/gaps.tsv); a behaviour with no case at all is listed as
// uncovered with its gap note.
std::string RenderCoverage(const std::vector<Behaviour>& behaviours,
                           const std::map<std::string, BehaviourCoverage>& cov,
                           const std::map<std::string, std::string>& gaps);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_CLI_COVERAGE_H_
