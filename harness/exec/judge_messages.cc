// What recvmsg, recvmmsg and sendmmsg bring back: matched (every fd,
// credential and control message stated) and written as a case writes it.
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "harness/exec/judge.h"
#include "harness/exec/judge_internal.h"
#include "harness/os/symbols.h"

namespace sockspec {

std::string FoldRepeats(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (size_t i = 0; i < items.size();) {
    size_t j = i;
    while (j < items.size() && items[j] == items[i]) ++j;
    out.push_back(j - i > 1 ? absl::StrCat(items[i], " \u00d7 ", j - i) : items[i]);
    i = j;
  }
  return absl::StrJoin(out, ", ");
}

bool StatedElsewhere(const Observation::ControlMessage& c) {
  if (c.level != SOL_SOCKET) return false;
  return c.type == SCM_RIGHTS ||
         (c.type == SCM_CREDENTIALS && c.data.size() >= sizeof(ucred));
}

std::string SlotName(const JudgeContext& ctx, int slot) {
  if (slot >= 0 && static_cast<size_t>(slot) < ctx.fd_names.size()) {
    return ctx.fd_names[slot];
  }
  return absl::StrCat("slot ", slot);
}

namespace internal {

// The control messages that are neither SCM_RIGHTS nor a whole
// SCM_CREDENTIALS
// match `want` in order; a stated value is the message's data as an int.
bool CmsgsMatch(const std::vector<Outcome::Cmsg>& want,
                const std::vector<Observation::ControlMessage>& got) {
  size_t i = 0;
  for (const Observation::ControlMessage& c : got) {
    if (StatedElsewhere(c)) continue;
    if (i >= want.size()) return false;
    const Outcome::Cmsg& w = want[i++];
    if (w.level != c.level || w.type != c.type) return false;
    if (w.bytes && *w.bytes != static_cast<int64_t>(c.data.size())) return false;
    if (w.value) {
      int v = 0;
      if (c.data.size() != sizeof v) return false;
      memcpy(&v, c.data.data(), sizeof v);
      if (v != *w.value) return false;
    }
  }
  return i == want.size();
}

bool MessagesMatch(const std::vector<Outcome::Message>& want,
                   const std::vector<Observation::MessageResult>& got) {
  if (want.size() != got.size()) return false;
  for (size_t i = 0; i < want.size(); ++i) {
    const Outcome::Message& w = want[i];
    const Observation::MessageResult& g = got[i];
    if (w.len && !w.len->Contains(g.len)) return false;
    if (w.data) {
      if (g.data != *w.data) return false;
      if (!w.len && g.len != static_cast<int64_t>(w.data->size())) return false;
    }
    if (w.flags && *w.flags != g.flags) return false;
  }
  return true;
}

// `rights(g=x, h)` as the outcome states it.
std::string RightsText(const Op& call, const std::vector<int>& same,
                       const JudgeContext& ctx) {
  std::vector<std::string> items;
  for (size_t i = 0; i < same.size(); ++i) {
    std::string name = i < call.results.size() ? SlotName(ctx, call.results[i])
                                               : absl::StrCat("fd ", i + 1);
    items.push_back(same[i] < 0 ? name
                                : absl::StrCat(name, "=", SlotName(ctx, same[i])));
  }
  return absl::StrCat("rights(", FoldRepeats(items), ")");
}

// `rights(g=x, h=?)` as received: each fd named by the case's result name
// and by the named fd it is the same open file as ("=(new file ino N)" when
// it is none the case knows); fds the case does not name as "(unnamed)".
std::string ReceivedRightsText(const Op& call, const Observation& obs,
                               const JudgeContext& ctx) {
  std::vector<std::string> items;
  size_t unnamed = 0;
  for (size_t i = 0; i < obs.rights.size(); ++i) {
    const bool named = i < call.results.size();
    if (!named) ++unnamed;
    std::string same;
    for (const auto& [slot, id] : ctx.ids) {
      bool own = std::find(call.results.begin(), call.results.end(), slot) !=
                 call.results.end();
      if (!own && id == obs.rights[i]) {
        same = SlotName(ctx, slot);
        break;
      }
    }
    if (same.empty()) same = absl::StrCat("(a file no fd names, ino ", obs.rights[i].ino, ")");
    items.push_back(absl::StrCat(named ? SlotName(ctx, call.results[i]) : "(unnamed)",
                                 "=", same));
  }
  std::string text = absl::StrCat("rights(", FoldRepeats(items), ")");
  if (unnamed > 0) {
    absl::StrAppend(&text, "; ", unnamed, unnamed == 1 ? " fd" : " fds",
                    " arrived that the case does not name (closed)");
  }
  return text;
}

std::string CmsgTypeText(int level, int type) {
  std::string_view t = level == SOL_SOCKET ? SymbolName(SymbolKind::kCmsgType, type)
                                           : std::string_view();
  std::string_view l = SymbolName(SymbolKind::kLevel, level);
  return absl::StrCat(l.empty() ? absl::StrCat(level) : std::string(l), ", ",
                      t.empty() ? absl::StrCat(type) : std::string(t));
}

// The control messages other than rights and credentials, as cmsg(...);
// an unknown type shows its level and type numbers and its size.
std::string CmsgsText(const std::vector<Observation::ControlMessage>& got) {
  std::vector<std::string> parts;
  for (const Observation::ControlMessage& c : got) {
    if (StatedElsewhere(c)) continue;
    const bool known = c.level == SOL_SOCKET &&
                       !SymbolName(SymbolKind::kCmsgType, c.type).empty();
    std::string value;
    if (c.data.size() == sizeof(int) && known && c.type != SCM_CREDENTIALS) {
      int v;
      memcpy(&v, c.data.data(), sizeof v);
      value = absl::StrCat(", ", v);
    } else if (!known || c.type == SCM_CREDENTIALS || !c.data.empty()) {
      value = absl::StrCat(", bytes=", c.data.size());
    }  // else SCM_PIDFD: its fd was closed, nothing to show
    parts.push_back(absl::StrCat("cmsg(", CmsgTypeText(c.level, c.type), value,
                                 ")", known ? "" : " (unknown type)"));
  }
  return absl::StrJoin(parts, " ");
}

std::string ExpectedCmsgsText(const std::vector<Outcome::Cmsg>& want) {
  std::vector<std::string> parts;
  for (const Outcome::Cmsg& c : want) {
    parts.push_back(absl::StrCat("cmsg(", CmsgTypeText(c.level, c.type),
                                 c.value ? absl::StrCat(", ", *c.value) : "",
                                 c.bytes ? absl::StrCat(", bytes=", *c.bytes) : "",
                                 ")"));
  }
  return absl::StrJoin(parts, " ");
}

std::string MessageText(const std::optional<std::string>& data,
                        const std::optional<std::string>& len,
                        const std::optional<int>& flags) {
  std::vector<std::string> items;
  if (data) items.push_back(QuoteBytes(*data));
  if (len) items.push_back(absl::StrCat("len=", *len));
  if (flags) {
    items.push_back(absl::StrCat("flags=", FlagsToText(SymbolKind::kMsgFlag, *flags)));
  }
  return absl::StrCat("msg(", absl::StrJoin(items, ", "), ")");
}

}  // namespace internal
}  // namespace sockspec
