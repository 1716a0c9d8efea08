#include "harness/lang/case.h"
#include "harness/plan/quote.h"

#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace sockspec {

// Equality ignores locations: a printed and re-parsed case is equal.
bool Expr::operator==(const Expr& o) const {
  return std::tie(kind, text, value, value2, empty_index, open_end, items) ==
         std::tie(o.kind, o.text, o.value, o.value2, o.empty_index, o.open_end,
                  o.items);
}
bool Attribute::operator==(const Attribute& o) const {
  return key == o.key && value == o.value;
}
bool Alternative::operator==(const Alternative& o) const {
  return values == o.values && attrs == o.attrs;
}
bool PlatformLine::operator==(const PlatformLine& o) const {
  return std::tie(platforms, blocks, results, because) ==
         std::tie(o.platforms, o.blocks, o.results, o.because) &&
         std::tie(version_op, version) == std::tie(o.version_op, o.version);
}
bool RequireDecl::operator==(const RequireDecl& o) const {
  return std::tie(what, arg, op, when) == std::tie(o.what, o.arg, o.op, o.when);
}
bool Step::operator==(const Step& o) const {
  if (placeholder.has_value() != o.placeholder.has_value()) return false;
  return std::tie(kind, peer, repeat, call, args, blocks, results, new_peer,
                  platforms) == std::tie(o.kind, o.peer, o.repeat, o.call,
                                         o.args, o.blocks, o.results,
                                         o.new_peer, o.platforms) &&
         requirements == o.requirements && when == o.when;
}
bool MatrixDecl::operator==(const MatrixDecl& o) const {
  return tuple == o.tuple && names == o.names && rows == o.rows;
}
bool ExcludeDecl::operator==(const ExcludeDecl& o) const {
  return matches == o.matches;
}
bool PayloadDecl::operator==(const PayloadDecl& o) const {
  return name == o.name && value == o.value;
}
bool PeerStmt::operator==(const PeerStmt& o) const {
  return name == o.name && holds == o.holds;
}

namespace {
template <typename T>
std::vector<T> Seconds(const std::vector<std::pair<Location, T>>& v) {
  std::vector<T> out;
  for (const auto& p : v) out.push_back(p.second);
  return out;
}
}  // namespace

bool Case::operator==(const Case& o) const {
  return Seconds(titles) == Seconds(o.titles) && covers == o.covers &&
         has_covers == o.has_covers && Seconds(sources) == Seconds(o.sources) &&
         matrices == o.matrices && excludes == o.excludes &&
         payloads == o.payloads && Seconds(timeouts) == Seconds(o.timeouts) &&
         peers == o.peers && requirements == o.requirements &&
         steps == o.steps;
}


std::string PrintExpr(const Expr& e) {
  auto join = [](const std::vector<Expr>& items, const char* sep) {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out += sep;
      out += PrintExpr(items[i]);
    }
    return out;
  };
  switch (e.kind) {
    case Expr::Kind::kInt:
      return absl::StrCat(e.value);
    case Expr::Kind::kRange:
      if (e.items.size() == 2) {
        return absl::StrCat(PrintExpr(e.items[0]), "..", PrintExpr(e.items[1]));
      }
      return absl::StrCat(e.value, "..", e.value2);
    case Expr::Kind::kString:
      return QuoteLiteral(e.text);
    case Expr::Kind::kName:
      return e.text;
    case Expr::Kind::kVar:
      return absl::StrCat("$", e.text);
    case Expr::Kind::kIndex:
      if (!e.items.empty()) return absl::StrCat(e.text, "[", join(e.items, ""), "]");
      return e.empty_index ? absl::StrCat(e.text, "[]")
                           : absl::StrCat(e.text, "[", e.value, "]");
    case Expr::Kind::kSlice:
      if (!e.items.empty()) {
        return absl::StrCat(e.text, "[", PrintExpr(e.items[0]), ":",
                            e.items.size() > 1 ? PrintExpr(e.items[1]) : "",
                            "]");
      }
      return e.open_end
                 ? absl::StrCat(e.text, "[", e.value, ":]")
                 : absl::StrCat(e.text, "[", e.value, ":", e.value2, "]");
    case Expr::Kind::kApply:
      return absl::StrCat(e.text, "(", join(e.items, ", "), ")");
    case Expr::Kind::kKeyValue:
      return absl::StrCat(e.text, "=",
                          e.items.empty() ? "" : PrintExpr(e.items[0]));
    case Expr::Kind::kConcat:
      return join(e.items, " + ");
    case Expr::Kind::kFlags:
      return join(e.items, "|");
    case Expr::Kind::kArith:
      if (e.text == "()") {
        return absl::StrCat("(", e.items.empty() ? "" : PrintExpr(e.items[0]), ")");
      }
      return absl::StrCat(e.items.empty() ? "" : PrintExpr(e.items[0]), " ",
                          e.text, " ",
                          e.items.size() < 2 ? "" : PrintExpr(e.items[1]));
    case Expr::Kind::kBound:
      return absl::StrCat(e.text, " ", e.items.empty() ? "" : PrintExpr(e.items[0]));
  }
  return "";
}

std::string PrintCall(const std::string& call, const std::vector<Expr>& args) {
  std::string out = call + "(";
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) out += ", ";
    out += PrintExpr(args[i]);
  }
  return out + ")";
}

std::string PrintCallFolded(const std::string& call,
                            const std::vector<Expr>& args) {
  std::string out = call + "(";
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) out += ", ";
    const Expr& a = args[i];
    if (a.kind != Expr::Kind::kApply) {
      out += PrintExpr(a);
      continue;
    }
    out += a.text + "(";
    for (size_t j = 0; j < a.items.size();) {
      size_t k = j;
      while (k < a.items.size() && a.items[k] == a.items[j]) ++k;
      if (j > 0) out += ", ";
      out += PrintExpr(a.items[j]);
      if (k - j > 1) out += absl::StrCat(" \u00d7 ", k - j);
      j = k;
    }
    out += ")";
  }
  return out + ")";
}

namespace {

std::string PrintAlternative(const Alternative& alt) {
  bool names = true;
  for (const Expr& v : alt.values) {
    if (v.kind != Expr::Kind::kName && v.kind != Expr::Kind::kIndex) {
      names = false;
    }
  }
  std::string out;
  for (size_t i = 0; i < alt.values.size(); ++i) {
    if (i > 0) out += names ? ", " : " ";
    out += PrintExpr(alt.values[i]);
  }
  for (const Attribute& a : alt.attrs) {
    if (a.key == "rights" || a.key == "cred" || a.key == "cmsg") {
      absl::StrAppend(&out, " ", PrintExpr(a.value));
    } else {
      absl::StrAppend(&out, " ", a.key, " ", PrintExpr(a.value));
    }
  }
  return out;
}

std::string PrintStep(const Step& s) {
  std::string out;
  if (!s.when.empty()) {
    std::vector<std::string> parts;
    for (const auto& [name, value] : s.when) {
      parts.push_back(absl::StrCat(name.name, "=", PrintExpr(value)));
    }
    absl::StrAppend(&out, "when ", absl::StrJoin(parts, ", "), ": ");
  }
  if (s.peer) absl::StrAppend(&out, s.peer->name, ": ");
  switch (s.kind) {
    case Step::Kind::kWakes:
      absl::StrAppend(&out, "wakes = ",
                      s.placeholder ? "?" : PrintAlternatives(s.results));
      break;
    case Step::Kind::kBlocked:
      out += "blocked";
      break;
    case Step::Kind::kFork:
      absl::StrAppend(&out, "fork ", s.new_peer.name);
      break;
    case Step::Kind::kCall:
      if (s.repeat) absl::StrAppend(&out, "repeat ", PrintExpr(*s.repeat), " ");
      out += PrintCall(s.call.name, s.args);
      if (s.blocks) {
        out += " blocks";
      } else if (s.placeholder) {
        out += " = ?";
      } else {
        absl::StrAppend(&out, " = ", PrintAlternatives(s.results));
      }
      break;
  }
  out += "\n";
  for (const PlatformLine& p : s.platforms) {
    std::vector<std::string> names;
    for (const NameRef& n : p.platforms) names.push_back(n.name);
    absl::StrAppend(&out, "   on ", absl::StrJoin(names, ", "));
    if (!p.version_op.empty()) absl::StrAppend(&out, " ", p.version_op, " ", p.version);
    if (p.blocks) {
      out += " blocks";
    } else {
      absl::StrAppend(&out, " = ", PrintAlternatives(p.results));
    }
    absl::StrAppend(&out, " because ", QuoteLiteral(p.because), "\n");
  }
  for (const RequireDecl& r : s.requirements) {
    absl::StrAppend(&out, "   ", PrintRequire(r), "\n");
  }
  return out;
}

}  // namespace

std::string PrintAlternatives(const std::vector<Alternative>& alts) {
  std::string out;
  for (size_t i = 0; i < alts.size(); ++i) {
    if (i > 0) out += " or ";
    out += PrintAlternative(alts[i]);
  }
  return out;
}

std::string PrintRequire(const RequireDecl& r) {
  std::string out = absl::StrCat("requires ", r.what.name);
  if (!r.op.empty()) absl::StrAppend(&out, " ", r.op);
  if (r.what.name == "nofile" || r.what.name == "kernel") {
    absl::StrAppend(&out, " ", PrintExpr(r.arg));
  }
  std::vector<std::string> parts;
  for (const auto& m : r.when) {
    parts.push_back(absl::StrCat(m.first.name, "=", PrintExpr(m.second)));
  }
  if (!parts.empty()) absl::StrAppend(&out, " when ", absl::StrJoin(parts, ", "));
  return out;
}

std::string PrintCase(const Case& c) {
  std::string out;
  for (const auto& t : c.titles)
    absl::StrAppend(&out, "title ", QuoteLiteral(t.second), "\n");
  if (c.has_covers) {
    out += "covers";
    for (const NameRef& n : c.covers) absl::StrAppend(&out, " ", n.name);
    out += "\n";
  }
  for (const auto& s : c.sources)
    absl::StrAppend(&out, "source ", QuoteLiteral(s.second), "\n");
  for (const MatrixDecl& m : c.matrices) {
    std::vector<std::string> names;
    for (const NameRef& n : m.names) names.push_back(n.name);
    std::vector<std::string> rows;
    for (const auto& row : m.rows) {
      std::vector<std::string> vals;
      for (const Expr& e : row) vals.push_back(PrintExpr(e));
      rows.push_back(m.tuple ? absl::StrCat("(", absl::StrJoin(vals, ", "), ")")
                             : absl::StrJoin(vals, ", "));
    }
    absl::StrAppend(&out, "matrix ",
                    m.tuple ? absl::StrCat("(", absl::StrJoin(names, ", "), ")")
                            : absl::StrJoin(names, ", "),
                    " = ", absl::StrJoin(rows, ", "), "\n");
  }
  for (const ExcludeDecl& x : c.excludes) {
    std::vector<std::string> parts;
    for (const auto& m : x.matches) {
      parts.push_back(absl::StrCat(m.first.name, "=", PrintExpr(m.second)));
    }
    absl::StrAppend(&out, "exclude ", absl::StrJoin(parts, ", "), "\n");
  }
  for (const PayloadDecl& p : c.payloads) {
    absl::StrAppend(&out, "payload ", p.name.name, " = ", PrintExpr(p.value),
                    "\n");
  }
  for (const auto& t : c.timeouts)
    absl::StrAppend(&out, "timeout ", t.second, "\n");
  for (const PeerStmt& p : c.peers) {
    absl::StrAppend(&out, "peer ", p.name.name);
    if (!p.holds.empty()) {
      std::vector<std::string> holds;
      for (const Expr& e : p.holds) holds.push_back(PrintExpr(e));
      absl::StrAppend(&out, " holds ", absl::StrJoin(holds, ", "));
    }
    out += "\n";
  }
  for (const RequireDecl& r : c.requirements) {
    absl::StrAppend(&out, PrintRequire(r), "\n");
  }
  for (const Step& s : c.steps) out += PrintStep(s);
  return out;
}

}  // namespace sockspec
