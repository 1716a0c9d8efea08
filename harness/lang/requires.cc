#include "harness/lang/requires.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "harness/os/kernel_version.h"
#include "harness/os/symbols.h"

namespace sockspec {
namespace {

// linux/capability.h, 0 to CAP_LAST_CAP of Linux 6.x.
const char* const kCapabilities[] = {
    "CAP_CHOWN",          "CAP_DAC_OVERRIDE",     "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",         "CAP_FSETID",           "CAP_KILL",
    "CAP_SETGID",         "CAP_SETUID",           "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",      "CAP_NET_RAW",          "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",      "CAP_SYS_MODULE",       "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",     "CAP_SYS_PTRACE",       "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",      "CAP_SYS_BOOT",         "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",   "CAP_SYS_TIME",         "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",          "CAP_LEASE",            "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",  "CAP_SETFCAP",          "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",      "CAP_SYSLOG",           "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",  "CAP_AUDIT_READ",       "CAP_PERFMON",
    "CAP_BPF",            "CAP_CHECKPOINT_RESTORE",
};

constexpr int64_t kMaxNofile = 1 << 20;

std::string Known() {
  return "known: ipv6, root, CAP_NAME, nofile N, kernel >= X.Y";
}

void CheckOne(const RequireDecl& r,
              const std::map<std::string, std::vector<std::string>>& matrix,
              DiagnosticSink* sink) {
  const std::string& w = r.what.name;
  if (w.rfind("CAP_", 0) == 0) {
    if (!CapabilityNumber(w)) {
      std::vector<std::string> all(std::begin(kCapabilities),
                                   std::end(kCapabilities));
      std::string hint = ClosestName(w, all);
      sink->Add(r.what.loc,
                absl::StrCat("unknown capability '", w, "'",
                             hint.empty() ? ""
                                          : absl::StrCat(" (did you mean '",
                                                         hint, "'?)")));
    }
  } else if (w == "nofile") {
    if (r.arg.value < 1 || r.arg.value > kMaxNofile) {
      sink->Add(r.arg.loc, absl::StrCat("nofile must be between 1 and ",
                                        kMaxNofile));
    }
  } else if (w == "kernel") {
    if (!ParseKernelVersion(r.arg.text).ok()) {
      sink->Add(r.arg.loc, absl::StrCat("malformed kernel version '",
                                        r.arg.text, "' (write 5.4 or 6.1.119)"));
    }
  } else if (w != "ipv6" && w != "root") {
    std::string hint =
        ClosestName(w, {"ipv6", "root", "nofile", "kernel"});
    sink->Add(r.what.loc,
              absl::StrCat("unknown requirement '", w, "' (",
                           hint.empty() ? Known()
                                        : absl::StrCat("did you mean '", hint,
                                                       "'?"),
                           ")"));
  }
  for (const auto& [name, value] : r.when) {
    auto it = matrix.find(name.name);
    if (it == matrix.end()) {
      std::vector<std::string> all;
      for (const auto& m : matrix) all.push_back(m.first);
      std::string hint = ClosestName(name.name, all);
      sink->Add(name.loc,
                absl::StrCat("unknown matrix variable '", name.name, "'",
                             hint.empty() ? ""
                                          : absl::StrCat(" (did you mean '",
                                                         hint, "'?)")));
      continue;
    }
    const std::string v = PrintExpr(value);
    bool found = false;
    for (const std::string& s : it->second) found = found || s == v;
    if (!found) {
      sink->Add(value.loc, absl::StrCat("matrix variable '", name.name,
                                        "' never takes the value '", v, "'"));
    }
  }
}

bool Applies(const RequireDecl& r, const MatrixRow& row) {
  for (const auto& [name, value] : r.when) {
    const Expr* v = row.Find(name.name);
    if (v == nullptr || PrintExpr(*v) != PrintExpr(value)) return false;
  }
  return true;
}

Requirement Lower(const RequireDecl& r) {
  Requirement out;
  out.loc = r.loc;
  const std::string& w = r.what.name;
  out.text = w;
  if (w == "ipv6") {
    out.kind = Requirement::Kind::kIpv6;
  } else if (w == "root") {
    out.kind = Requirement::Kind::kRoot;
  } else if (w == "nofile") {
    out.kind = Requirement::Kind::kNofile;
    out.value = r.arg.value;
    out.text = absl::StrCat("nofile ", r.arg.value);
  } else if (w == "kernel") {
    out.kind = Requirement::Kind::kKernel;
    out.op = r.op;
    out.version = r.arg.text;
    out.text = absl::StrCat("kernel ", r.op, " ", r.arg.text);
  } else {
    out.kind = Requirement::Kind::kCapability;
    out.value = CapabilityNumber(w).value_or(-1);
  }
  return out;
}

}  // namespace

std::optional<int> CapabilityNumber(const std::string& name) {
  int n = 0;
  for (const char* c : kCapabilities) {
    if (name == c) return n;
    ++n;
  }
  return std::nullopt;
}

void CheckRequires(const Case& c, DiagnosticSink* sink) {
  std::map<std::string, std::vector<std::string>> matrix;
  for (const auto& [name, values] : MatrixDims(c)) {
    auto& v = matrix[name];
    v.insert(v.end(), values.begin(), values.end());
  }
  for (const RequireDecl& r : c.requirements) CheckOne(r, matrix, sink);
  for (const Step& s : c.steps) {
    for (const RequireDecl& r : s.requirements) CheckOne(r, matrix, sink);
  }
}

std::vector<Requirement> LowerRequires(const Case& c, const MatrixRow& row) {
  std::vector<Requirement> out;
  for (const RequireDecl& r : c.requirements) {
    if (Applies(r, row)) out.push_back(Lower(r));
  }
  for (const Step& s : c.steps) {
    for (const RequireDecl& r : s.requirements) {
      if (Applies(r, row)) out.push_back(Lower(r));
    }
  }
  return out;
}

}  // namespace sockspec
