#include "harness/model/fuzz_triage.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "harness/model/crash_to_case.h"

namespace sockspec {
// The reference model's names this file uses.
namespace {
using model::ModelLimits;
using model::OpKind;
}  // namespace

namespace {

// The signature of `input`'s first difference, or "" if there is none.
absl::StatusOr<std::string> SignatureOf(DiffRunner& runner,
                                        absl::Span<const uint8_t> input,
                                        std::optional<Difference>* out = nullptr) {
  absl::StatusOr<std::optional<Difference>> d = runner.Run(input);
  if (!d.ok()) return d.status();
  if (!d->has_value()) return std::string();
  std::string s = (*d)->signature;
  if (out != nullptr) *out = std::move(*d);
  return s;
}

absl::StatusOr<std::vector<uint8_t>> ReadInput(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
}

bool WriteBytes(const std::string& path, absl::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), bytes.size());
  return static_cast<bool>(out);
}

// Every .case file under `dir` with its text, sorted by path; empty when
// `dir` is not a readable folder.
std::vector<std::pair<std::string, std::string>> ReadLibrary(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<std::pair<std::string, std::string>> cases;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (!it->is_regular_file() || it->path().extension() != ".case") continue;
    std::ifstream in(it->path());
    cases.emplace_back(it->path().string(),
                       std::string((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>()));
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

std::string StatingCase(const std::vector<std::pair<std::string, std::string>>& library,
                        const std::string& name, const std::string& signature) {
  const std::string file = absl::StrCat("/", name, "-", SignatureSlug(signature), ".case");
  for (const auto& [path, text] : library) {
    if (absl::EndsWith(path, file)) return path;
  }
  // The whole signature as the end of a quoted string ("gvisor differs:
  // SIG", "fuzz/ops_triage signature: SIG"): "host 0, guest POLLIN" does
  // not match a case stating "host 0, guest POLLIN|POLLOUT".
  const std::string quoted = absl::StrCat(": ", signature, "\"");
  for (const auto& [path, text] : library) {
    if (absl::StrContains(text, quoted)) return path;
  }
  return "";
}

}  // namespace

std::string LibraryCaseFor(const std::string& library, const std::string& name,
                           const std::string& signature) {
  return StatingCase(ReadLibrary(library), name, signature);
}

std::string SignatureSlug(const std::string& signature) {
  std::string slug;
  for (char c : signature) {
    if (absl::ascii_isalnum(c)) {
      slug += absl::ascii_tolower(c);
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return slug;
}

absl::StatusOr<std::vector<uint8_t>> MinimiseDifference(
    DiffRunner& runner, absl::Span<const uint8_t> input,
    const std::string& signature) {
  std::optional<Difference> d;
  absl::StatusOr<std::string> first = SignatureOf(runner, input, &d);
  if (!first.ok()) return first.status();
  OpsProgram best = DecodeOps(input);
  if (*first != signature || !d.has_value()) return EncodeOps(best);
  best = d->program;  // SO_SNDBUF as run
  best.ops.resize(d->step + 1);
  const auto keeps = [&](const OpsProgram& p) -> absl::StatusOr<bool> {
    absl::StatusOr<std::string> s = SignatureOf(runner, EncodeOps(p));
    if (!s.ok()) return s.status();
    return *s == signature;
  };
  // Delta debugging over the operations: chunks of halving size.
  for (size_t chunk = std::max<size_t>(1, best.ops.size() / 2); chunk >= 1;
       chunk /= 2) {
    for (size_t at = 0; at < best.ops.size() && best.ops.size() > 1;) {
      OpsProgram trial = best;
      trial.ops.erase(trial.ops.begin() + at,
                      trial.ops.begin() + std::min(at + chunk, trial.ops.size()));
      absl::StatusOr<bool> k = keeps(trial);
      if (!k.ok()) return k.status();
      if (*k) {
        best = std::move(trial);
      } else {
        at += chunk;
      }
    }
    if (chunk == 1) break;
  }
  // Smaller sizes read better in a case.
  for (size_t i = 0; i < best.ops.size(); ++i) {
    const OpKind kind = best.ops[i].kind;
    if (kind != OpKind::kWrite && kind != OpKind::kRead &&
        kind != OpKind::kSendTo && kind != OpKind::kRecvFrom) {
      continue;
    }
    while (best.ops[i].size > 1) {
      OpsProgram trial = best;
      trial.ops[i].size = best.ops[i].size / 2;
      absl::StatusOr<bool> k = keeps(trial);
      if (!k.ok()) return k.status();
      if (!*k) break;
      best = std::move(trial);
    }
  }
  return EncodeOps(best);
}

absl::StatusOr<std::vector<TriageGroup>> Triage(
    DiffRunner& runner, const std::vector<std::string>& files,
    const TriageOptions& options, size_t* no_difference) {
  struct Seen {
    TriageGroup group;
    std::vector<uint8_t> smallest;
    size_t smallest_ops = SIZE_MAX;
  };
  std::map<std::string, Seen> by_signature;
  *no_difference = 0;
  for (const std::string& file : files) {
    absl::StatusOr<std::vector<uint8_t>> bytes = ReadInput(file);
    if (!bytes.ok()) return bytes.status();
    std::optional<Difference> d;
    absl::StatusOr<std::string> sig = SignatureOf(runner, *bytes, &d);
    if (!sig.ok()) return sig.status();
    if (sig->empty()) {
      ++*no_difference;
      continue;
    }
    Seen& seen = by_signature[*sig];
    seen.group.signature = *sig;
    ++seen.group.count;
    if (d->step + 1 < seen.smallest_ops) {
      seen.smallest_ops = d->step + 1;
      seen.smallest = *bytes;
      seen.group.smallest = file;
    }
  }
  const std::vector<std::pair<std::string, std::string>> library =
      options.library.empty() ? std::vector<std::pair<std::string, std::string>>()
                              : ReadLibrary(options.library);
  const std::string& name =
      options.guest_name.empty() ? options.platform : options.guest_name;
  std::vector<TriageGroup> groups;
  for (auto& [sig, seen] : by_signature) {
    TriageGroup g = std::move(seen.group);
    if (!options.library.empty()) g.in_library = StatingCase(library, name, sig);
    absl::StatusOr<std::vector<uint8_t>> min =
        MinimiseDifference(runner, seen.smallest, sig);
    if (!min.ok()) return min.status();
    g.minimised = *std::move(min);
    std::optional<Difference> d;
    int differed = 0;
    for (int i = 0; i < options.confirm_runs; ++i) {
      absl::StatusOr<std::string> s = SignatureOf(runner, g.minimised, &d);
      if (!s.ok()) return s.status();
      differed += *s == sig;
    }
    g.stable = differed == options.confirm_runs;
    g.minimised_ops = d.has_value() ? d->step + 1 : DecodeOps(g.minimised).ops.size();
    const std::string slug = SignatureSlug(sig);
    if (!options.reproducer_dir.empty()) {
      g.reproducer_file = absl::StrCat(options.reproducer_dir, "/", slug);
      if (!WriteBytes(g.reproducer_file,
                      absl::string_view(reinterpret_cast<const char*>(g.minimised.data()),
                                        g.minimised.size()))) {
        return absl::InternalError(absl::StrCat("cannot write ", g.reproducer_file));
      }
    }
    if (!options.case_dir.empty() && d.has_value() && *SignatureOf(runner, g.minimised) == sig) {
      CrashToCaseOptions c;
      c.max_steps = d->step + 1;
      for (size_t i = 0; i <= d->step; ++i) {
        c.guest_answers.push_back({d->guest[i].ToObserved(), d->guest[i].data_hash});
      }
      c.guest_platform = options.platform;
      c.guest_because = options.because;
      c.title = absl::StrCat(name, " differs: ", sig);
      c.source = absl::StrCat("fuzz/ops_fuzzer --under=",
                              options.source_under.empty()
                                  ? runner.under()
                                  : options.source_under,
                              ", minimised by fuzz/ops_triage (",
                              Sha1Hex(g.minimised), ")");
      // The host side's sockets (RecordOps) still hold this process's
      // abstract names, which the replay binds again.
      EndRecordOps();
      absl::StatusOr<Conversion> conv =
          CrashToCase(g.minimised, c, ModelLimits::FromKernel());
      if (!conv.ok()) {
        g.case_error = std::string(conv.status().message());
      } else if (conv->guest_line == 0) {
        g.case_error = "the host itself diverges from the model first";
      } else {
        g.case_file = absl::StrCat(options.case_dir, "/", name,
                                   "-", slug, ".case");
        if (!WriteBytes(g.case_file, conv->text)) {
          return absl::InternalError(absl::StrCat("cannot write ", g.case_file));
        }
      }
    }
    groups.push_back(std::move(g));
  }
  std::stable_sort(groups.begin(), groups.end(),
                   [](const TriageGroup& a, const TriageGroup& b) {
                     return a.count > b.count;
                   });
  return groups;
}

std::string TriageTable(const std::vector<TriageGroup>& groups,
                        size_t no_difference, bool library_given) {
  std::string t =
      "| signature | inputs | smallest reproducer | case file | in the library |\n"
      "| --- | --- | --- | --- | --- |\n";
  size_t total = 0, known = 0;
  for (const TriageGroup& g : groups) {
    total += g.count;
    known += !g.in_library.empty();
    absl::StrAppendFormat(
        &t, "| %s | %d | %d ops%s%s | %s | %s |\n",
        absl::StrReplaceAll(g.signature, {{"|", "\\|"}}), g.count,
        g.minimised_ops, g.stable ? "" : " (NOT STABLE)",
        g.reproducer_file.empty() ? "" : absl::StrCat(", ", g.reproducer_file),
        !g.case_file.empty()    ? g.case_file
        : !g.case_error.empty() ? absl::StrCat("none: ", g.case_error)
                                : "-",
        !g.in_library.empty() ? g.in_library : library_given ? "new" : "-");
  }
  absl::StrAppendFormat(&t,
                        "%d distinct signatures from %d differing inputs; %d "
                        "inputs showed no difference\n",
                        groups.size(), total, no_difference);
  if (library_given) {
    absl::StrAppendFormat(&t, "%d of them already stated in the library, %d new\n",
                          known, groups.size() - known);
  }
  return t;
}

namespace {

// "6.1.0-57-cloud-amd64" -> {6, 1}; nullopt without MAJOR.MINOR.
std::optional<std::pair<int, int>> MajorMinor(absl::string_view release) {
  int major = 0, minor = 0;
  size_t i = 0;
  auto number = [&](int& out) {
    const size_t from = i;
    while (i < release.size() && absl::ascii_isdigit(release[i])) {
      out = out * 10 + (release[i++] - '0');
    }
    return i > from && i - from < 5;
  };
  if (!number(major) || i >= release.size() || release[i++] != '.' ||
      !number(minor)) {
    return std::nullopt;
  }
  return std::make_pair(major, minor);
}

}  // namespace

KernelGuestNames KernelGuestPlatform(absl::string_view host_release,
                                     absl::string_view guest_release) {
  const auto host = MajorMinor(host_release);
  const auto guest = MajorMinor(guest_release);
  if (!host || !guest) return {};
  KernelGuestNames n;
  n.name = absl::StrCat("linux-", guest->first, ".", guest->second);
  n.platform = *guest < *host
                   ? absl::StrCat("linux < ", host->first, ".", host->second)
                   : absl::StrCat("linux >= ", guest->first, ".", guest->second);
  return n;
}

}  // namespace sockspec
