#include "harness/lang/lexer.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sockspec {
namespace {

bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
bool IsControl(unsigned char c) {
  return (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f;
}

std::string ControlMessage(unsigned char c) {
  if (c == 0) return "NUL byte in case file";
  return absl::StrFormat("control byte 0x%02x in case file", c);
}

class Lexer {
 public:
  Lexer(const Source& source, DiagnosticSink* sink)
      : src_(source), text_(source.text()), sink_(sink) {}

  std::vector<Token> Run() {
    bool line_start = true;
    bool saw_space = false;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') {
        ++pos_;
        continue;
      }
      if (c == '\n') {
        Emit(TokenKind::kNewline, pos_, pos_ + 1);
        ++pos_;
        line_start = true;
        saw_space = false;
        continue;
      }
      if (c == ' ' || c == '\t') {
        saw_space = true;
        ++pos_;
        continue;
      }
      if (c == '#') {
        SkipComment();
        continue;
      }
      size_t before = tokens_.size();
      LexToken();
      if (line_start && tokens_.size() > before) {
        tokens_[before].indented = saw_space;
        line_start = false;
      }
    }
    if (tokens_.empty() || tokens_.back().kind != TokenKind::kNewline) {
      Emit(TokenKind::kNewline, pos_, pos_);
    }
    Emit(TokenKind::kEof, pos_, pos_);
    return std::move(tokens_);
  }

 private:
  Token& Emit(TokenKind kind, size_t begin, size_t end) {
    Token t;
    t.kind = kind;
    t.loc = src_.LocationAt(begin);
    t.end = src_.LocationAt(end);
    if (end > 0 && end <= text_.size() && text_[end - 1] == '\n') t.end = t.loc;
    tokens_.push_back(std::move(t));
    return tokens_.back();
  }

  void Error(size_t at, std::string message) {
    sink_->Add(src_.LocationAt(at), std::move(message));
    Emit(TokenKind::kError, at, at + 1);
  }

  void SkipComment() {
    while (pos_ < text_.size() && text_[pos_] != '\n') {
      unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (IsControl(c) &&
          !(c == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n')) {
        Error(pos_, ControlMessage(c));
      }
      ++pos_;
    }
  }

  void LexToken() {
    size_t start = pos_;
    char c = text_[pos_];
    if (IsIdentStart(c)) {
      while (pos_ < text_.size() && IsIdentChar(text_[pos_])) ++pos_;
      Emit(TokenKind::kIdent, start, pos_).text =
          text_.substr(start, pos_ - start);
      return;
    }
    if (c == '$') {
      ++pos_;
      if (pos_ >= text_.size() || !IsIdentStart(text_[pos_])) {
        Error(start, "expected a matrix variable name after '$'");
        return;
      }
      while (pos_ < text_.size() && IsIdentChar(text_[pos_])) ++pos_;
      Emit(TokenKind::kVar, start, pos_).text =
          text_.substr(start + 1, pos_ - start - 1);
      return;
    }
    if (IsDigit(c) ||
        (c == '-' && pos_ + 1 < text_.size() && IsDigit(text_[pos_ + 1]))) {
      LexInt();
      return;
    }
    if (c == '"') {
      LexString();
      return;
    }
    if (c == '.' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '.') {
      pos_ += 2;
      Emit(TokenKind::kDotDot, start, pos_);
      return;
    }
    if (c == '<' || c == '>') {
      ++pos_;
      if (pos_ < text_.size() && text_[pos_] == '=') ++pos_;
      Emit(TokenKind::kCompare, start, pos_).text =
          text_.substr(start, pos_ - start);
      return;
    }
    TokenKind kind;
    switch (c) {
      case '(':
        kind = TokenKind::kLParen;
        break;
      case ')':
        kind = TokenKind::kRParen;
        break;
      case '[':
        kind = TokenKind::kLBracket;
        break;
      case ']':
        kind = TokenKind::kRBracket;
        break;
      case ',':
        kind = TokenKind::kComma;
        break;
      case '=':
        kind = TokenKind::kEquals;
        break;
      case '|':
        kind = TokenKind::kPipe;
        break;
      case ':':
        kind = TokenKind::kColon;
        break;
      case '+':
        kind = TokenKind::kPlus;
        break;
      case '-':  // `-1` is a number (above): `$n - 1` needs the space
        kind = TokenKind::kMinus;
        break;
      case '*':
        kind = TokenKind::kStar;
        break;
      case '/':
        kind = TokenKind::kSlash;
        break;
      case '?':
        kind = TokenKind::kQuestion;
        break;
      default: {
        unsigned char u = static_cast<unsigned char>(c);
        ++pos_;
        if (IsControl(u)) {
          Error(start, ControlMessage(u));
        } else if (u >= 0x80) {
          Error(start, "non-ASCII byte outside a string or comment");
        } else {
          Error(start,
                absl::StrCat("unexpected character '", std::string(1, c), "'"));
        }
        return;
      }
    }
    ++pos_;
    Emit(kind, start, pos_);
  }

  void LexInt() {
    size_t start = pos_;
    bool negative = text_[pos_] == '-';
    if (negative) ++pos_;
    // Accumulate negatively so INT64_MIN fits.
    int64_t v = 0;
    bool overflow = false;
    while (pos_ < text_.size() && IsDigit(text_[pos_])) {
      int d = text_[pos_] - '0';
      if (v < (std::numeric_limits<int64_t>::min() + d) / 10) overflow = true;
      if (!overflow) v = v * 10 - d;
      ++pos_;
    }
    if (!negative && !overflow) {
      if (v == std::numeric_limits<int64_t>::min()) {
        overflow = true;
      } else {
        v = -v;
      }
    }
    if (pos_ < text_.size() && IsIdentStart(text_[pos_])) {
      while (pos_ < text_.size() && IsIdentChar(text_[pos_])) ++pos_;
      Error(start, absl::StrCat("malformed number '",
                                text_.substr(start, pos_ - start), "'"));
      return;
    }
    // A version: digits, then '.' and digits once or twice (not "1..4").
    if (!negative && pos_ + 1 < text_.size() && text_[pos_] == '.' &&
        IsDigit(text_[pos_ + 1])) {
      for (int part = 0; part < 2 && pos_ + 1 < text_.size() &&
                         text_[pos_] == '.' && IsDigit(text_[pos_ + 1]);
           ++part) {
        ++pos_;
        while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
      }
      Emit(TokenKind::kVersion, start, pos_).text =
          text_.substr(start, pos_ - start);
      return;
    }
    if (overflow) {
      Error(start, "integer out of range");
      return;
    }
    Emit(TokenKind::kInt, start, pos_).value = v;
  }

  void LexString() {
    size_t start = pos_++;
    std::string out;
    while (true) {
      if (pos_ >= text_.size() || text_[pos_] == '\n') {
        Error(start, "unterminated string");
        return;
      }
      unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') break;
      if (c == '\\') {
        size_t esc = pos_;
        if (!LexEscape(&out)) {
          // Skip to the end of the string so one bad escape is one error.
          while (pos_ < text_.size() && text_[pos_] != '"' &&
                 text_[pos_] != '\n') {
            ++pos_;
          }
          if (pos_ < text_.size() && text_[pos_] == '"') ++pos_;
          (void)esc;
          return;
        }
        continue;
      }
      if (IsControl(c) || c == '\t') {
        Error(pos_,
              c == '\t' ? "tab in string (write \\t)" : ControlMessage(c));
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
        return;
      }
      out.push_back(static_cast<char>(c));
      ++pos_;
    }
    ++pos_;
    Emit(TokenKind::kString, start, pos_).text = std::move(out);
  }

  // At a backslash: appends the escaped byte and returns true, or reports the
  // bad escape and returns false.
  bool LexEscape(std::string* out) {
    size_t at = pos_++;
    if (pos_ >= text_.size() || text_[pos_] == '\n') {
      Error(at, "unterminated string");
      return false;
    }
    char e = text_[pos_++];
    switch (e) {
      case 'n':
        out->push_back('\n');
        return true;
      case 't':
        out->push_back('\t');
        return true;
      case 'r':
        out->push_back('\r');
        return true;
      case '0':
        out->push_back('\0');
        return true;
      case '\\':
        out->push_back('\\');
        return true;
      case '"':
        out->push_back('"');
        return true;
      case 'x': {
        int hi = pos_ < text_.size() ? HexValue(text_[pos_]) : -1;
        int lo = pos_ + 1 < text_.size() ? HexValue(text_[pos_ + 1]) : -1;
        if (hi < 0 || lo < 0) {
          Error(at, "'\\x' needs two hex digits");
          return false;
        }
        pos_ += 2;
        out->push_back(static_cast<char>(hi * 16 + lo));
        return true;
      }
      default: {
        unsigned char u = static_cast<unsigned char>(e);
        std::string shown = (u < 0x20 || u >= 0x7f)
                                ? absl::StrFormat("\\x%02x", u)
                                : std::string(1, e);
        Error(at, absl::StrCat("unknown escape '\\", shown,
                               "' in string (known: \\n \\t \\r \\0 \\\\ "
                               "\\\" \\xNN)"));
        return false;
      }
    }
  }

  const Source& src_;
  const std::string& text_;
  DiagnosticSink* sink_;
  size_t pos_ = 0;
  std::vector<Token> tokens_;
};

}  // namespace

std::string DescribeToken(const Token& token) {
  switch (token.kind) {
    case TokenKind::kIdent:
      return absl::StrCat("'", token.text, "'");
    case TokenKind::kVar:
      return absl::StrCat("'$", token.text, "'");
    case TokenKind::kInt:
      return absl::StrCat("number ", token.value);
    case TokenKind::kString:
      return "string";
    case TokenKind::kLParen:
      return "'('";
    case TokenKind::kRParen:
      return "')'";
    case TokenKind::kLBracket:
      return "'['";
    case TokenKind::kRBracket:
      return "']'";
    case TokenKind::kComma:
      return "','";
    case TokenKind::kEquals:
      return "'='";
    case TokenKind::kPipe:
      return "'|'";
    case TokenKind::kColon:
      return "':'";
    case TokenKind::kPlus:
      return "'+'";
    case TokenKind::kMinus:
      return "'-'";
    case TokenKind::kStar:
      return "'*'";
    case TokenKind::kSlash:
      return "'/'";
    case TokenKind::kDotDot:
      return "'..'";
    case TokenKind::kCompare:
      return absl::StrCat("'", token.text, "'");
    case TokenKind::kVersion:
      return absl::StrCat("version ", token.text);
    case TokenKind::kQuestion:
      return "'?'";
    case TokenKind::kNewline:
      return "end of line";
    case TokenKind::kEof:
      return "end of file";
    case TokenKind::kError:
      return "invalid token";
  }
  return "token";
}

std::vector<Token> Lex(const Source& source, DiagnosticSink* sink) {
  return Lexer(source, sink).Run();
}

}  // namespace sockspec
