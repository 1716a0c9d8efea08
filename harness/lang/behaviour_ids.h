// The behaviour ids of the project's catalogue, cases/behaviours.tsv, built
// into the harness (behaviour_ids.sh generates the source), so `covers B99`
// is a diagnostic wherever a case is checked, with no file to find at run
// time.
#ifndef SOCKSPEC_HARNESS_LANG_BEHAVIOUR_IDS_H_
#define SOCKSPEC_HARNESS_LANG_BEHAVIOUR_IDS_H_

#include <string>
#include <vector>

namespace sockspec {

// "B01", "B02", ... in catalogue order.
const std::vector<std::string>& BehaviourIds();

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_LANG_BEHAVIOUR_IDS_H_
