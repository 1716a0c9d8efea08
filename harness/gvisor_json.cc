#include "harness/gvisor_json.h"

#include <map>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace sockspec {
namespace {

// Just enough JSON for JsonReport's output: objects, arrays, strings with
// the escapes it writes, numbers, true/false/null.
struct Value {
  enum Kind { kNull, kBool, kNumber, kString, kArray, kObject } kind = kNull;
  double number = 0;
  std::string str;
  std::vector<Value> items;
  std::map<std::string, Value> fields;
};

class Reader {
 public:
  explicit Reader(const std::string& text) : s_(text) {}

  absl::StatusOr<Value> Document() {
    Value v;
    if (!Parse(v, 0)) return Error();
    Space();
    if (i_ != s_.size()) return Error("trailing text");
    return v;
  }

 private:
  absl::Status Error(const char* what = nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "JSON results: ", what ? what : error_, " at byte ", i_));
  }
  void Space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' ||
                              s_[i_] == '\t' || s_[i_] == '\r')) {
      ++i_;
    }
  }
  bool Fail(const char* what) {
    error_ = what;
    return false;
  }
  bool Literal(const char* word) {
    std::string w(word);
    if (s_.compare(i_, w.size(), w) != 0) return Fail("unexpected token");
    i_ += w.size();
    return true;
  }

  bool String(std::string& out) {
    if (s_[i_] != '"') return Fail("expected a string");
    for (++i_; i_ < s_.size() && s_[i_] != '"'; ++i_) {
      if (s_[i_] != '\\') {
        out += s_[i_];
        continue;
      }
      if (++i_ >= s_.size()) break;
      char c = s_[i_];
      if (c == 'n') out += '\n';
      else if (c == 't') out += '\t';
      else if (c == 'r') out += '\r';
      else if (c == 'u' && i_ + 4 < s_.size()) {
        // JsonReport escapes only control bytes this way.
        out += static_cast<char>(std::stoi(s_.substr(i_ + 1, 4), nullptr, 16));
        i_ += 4;
      } else {
        out += c;
      }
    }
    if (i_ >= s_.size()) return Fail("unterminated string");
    ++i_;
    return true;
  }

  bool Parse(Value& v, int depth) {
    if (depth > 32) return Fail("nested too deep");
    Space();
    if (i_ >= s_.size()) return Fail("unexpected end");
    char c = s_[i_];
    if (c == '"') {
      v.kind = Value::kString;
      return String(v.str);
    }
    if (c == '{' || c == '[') {
      bool object = c == '{';
      v.kind = object ? Value::kObject : Value::kArray;
      ++i_;
      Space();
      if (i_ < s_.size() && s_[i_] == (object ? '}' : ']')) return ++i_, true;
      while (true) {
        Space();
        Value item;
        if (object) {
          std::string key;
          if (i_ >= s_.size() || !String(key)) return Fail("expected a key");
          Space();
          if (i_ >= s_.size() || s_[i_++] != ':') return Fail("expected ':'");
          if (!Parse(v.fields[key], depth + 1)) return false;
        } else {
          if (!Parse(item, depth + 1)) return false;
          v.items.push_back(std::move(item));
        }
        Space();
        if (i_ >= s_.size()) return Fail("unexpected end");
        if (s_[i_] == ',') {
          ++i_;
          continue;
        }
        if (s_[i_++] == (object ? '}' : ']')) return true;
        return Fail("expected ',' or a closing bracket");
      }
    }
    if (c == 't') return v.kind = Value::kBool, Literal("true");
    if (c == 'f') return v.kind = Value::kBool, Literal("false");
    if (c == 'n') return Literal("null");
    size_t used = 0;
    try {
      v.number = std::stod(s_.substr(i_, 32), &used);
    } catch (...) {
      return Fail("unexpected token");
    }
    v.kind = Value::kNumber;
    i_ += used;
    return true;
  }

  const std::string& s_;
  size_t i_ = 0;
  std::string error_;
};

const std::string& Str(const Value& object, const char* key) {
  static const std::string kEmpty;
  auto it = object.fields.find(key);
  return it == object.fields.end() ? kEmpty : it->second.str;
}

}  // namespace

absl::StatusOr<std::vector<CaseOutcome>> ParseJsonOutcomes(
    const std::string& text) {
  absl::StatusOr<Value> doc = Reader(text).Document();
  if (!doc.ok()) return doc.status();
  auto results = doc->fields.find("results");
  if (doc->kind != Value::kObject || results == doc->fields.end() ||
      results->second.kind != Value::kArray) {
    return absl::InvalidArgumentError("JSON results: no \"results\" array");
  }
  std::vector<CaseOutcome> out;
  for (const Value& r : results->second.items) {
    CaseOutcome o;
    o.path = Str(r, "path");
    o.instance = Str(r, "instance");
    o.title = Str(r, "title");
    o.message = Str(r, "message");
    auto covers = r.fields.find("covers");
    if (covers != r.fields.end()) {
      for (const Value& c : covers->second.items) o.covers.push_back(c.str);
    }
    auto seconds = r.fields.find("seconds");
    if (seconds != r.fields.end()) o.seconds = seconds->second.number;
    const std::string& verdict = Str(r, "verdict");
    if (verdict == "PASS") o.verdict = Verdict::kPass;
    else if (verdict == "FAIL") o.verdict = Verdict::kFail;
    else if (verdict == "ERROR") o.verdict = Verdict::kError;
    else if (verdict == "SKIP") o.verdict = Verdict::kSkip;
    else return absl::InvalidArgumentError("JSON results: unknown verdict '" + verdict + "'");
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace sockspec
