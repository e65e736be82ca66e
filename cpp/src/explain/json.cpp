#include "json.hpp"

#include <cstdlib>
#include <utility>

#include "assay/common/error.hpp"

namespace assay::explain::json {

namespace {

constexpr int kMaxNesting = 200;

class Parser {
 public:
  Parser(std::string_view text, const std::string& what) : text_(text), what_(what) {}

  Value document() {
    Value value = parse_value(0);
    skip_space();
    if (pos_ != text_.size()) fail("unexpected text after the JSON value");
    return value;
  }

 private:
  [[noreturn]] void fail(const std::string& message) const {
    throw InvalidArgument(what_ + ": malformed JSON at byte " + std::to_string(pos_) + ": " + message);
  }

  void skip_space() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\r' || text_[pos_] == '\t')) {
      ++pos_;
    }
  }

  char peek() {
    skip_space();
    if (pos_ >= text_.size()) fail("unexpected end of input");
    return text_[pos_];
  }

  void expect_word(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) fail("invalid literal");
    pos_ += word.size();
  }

  Value parse_value(int nesting) {
    if (nesting > kMaxNesting) fail("nesting too deep");
    Value value;
    switch (peek()) {
      case '{': {
        value.kind = Value::Kind::object;
        ++pos_;
        if (peek() == '}') {
          ++pos_;
          return value;
        }
        while (true) {
          if (peek() != '"') fail("expected a member name");
          std::string key = parse_string();
          if (peek() != ':') fail("expected ':'");
          ++pos_;
          value.members.emplace_back(std::move(key), parse_value(nesting + 1));
          const char c = peek();
          ++pos_;
          if (c == '}') return value;
          if (c != ',') fail("expected ',' or '}'");
        }
      }
      case '[': {
        value.kind = Value::Kind::array;
        ++pos_;
        if (peek() == ']') {
          ++pos_;
          return value;
        }
        while (true) {
          value.items.push_back(parse_value(nesting + 1));
          const char c = peek();
          ++pos_;
          if (c == ']') return value;
          if (c != ',') fail("expected ',' or ']'");
        }
      }
      case '"':
        value.kind = Value::Kind::string;
        value.text = parse_string();
        return value;
      case 't':
        expect_word("true");
        value.kind = Value::Kind::boolean;
        value.boolean = true;
        return value;
      case 'f':
        expect_word("false");
        value.kind = Value::Kind::boolean;
        return value;
      case 'n':
        expect_word("null");
        return value;
      default:
        value.kind = Value::Kind::number;
        value.number = parse_number();
        return value;
    }
  }

  double parse_number() {
    const std::size_t start = pos_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
        ++pos_;
      } else {
        break;
      }
    }
    if (pos_ == start) fail("unexpected character");
    const std::string token(text_.substr(start, pos_ - start));
    char* end = nullptr;
    const double number = std::strtod(token.c_str(), &end);
    if (end != token.c_str() + token.size()) fail("invalid number '" + token + "'");
    return number;
  }

  std::string parse_string() {
    ++pos_;  // opening quote
    std::string out;
    while (true) {
      if (pos_ >= text_.size()) fail("unterminated string");
      const char c = text_[pos_++];
      if (c == '"') return out;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) fail("unterminated escape");
      const char e = text_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out.push_back(e);
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          if (pos_ + 4 > text_.size()) fail("truncated \\u escape");
          unsigned code = 0;
          for (int i = 0; i < 4; ++i) {
            const char h = text_[pos_++];
            code <<= 4;
            if (h >= '0' && h <= '9')
              code |= h - '0';
            else if (h >= 'a' && h <= 'f')
              code |= h - 'a' + 10;
            else if (h >= 'A' && h <= 'F')
              code |= h - 'A' + 10;
            else
              fail("invalid \\u escape");
          }
          // Names in model files are what matters here; encode the code unit as UTF-8
          // (surrogate pairs are kept as two units, which is enough for messages).
          if (code < 0x80) {
            out.push_back(static_cast<char>(code));
          } else if (code < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (code >> 6)));
            out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
          } else {
            out.push_back(static_cast<char>(0xE0 | (code >> 12)));
            out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
          }
          break;
        }
        default:
          fail("invalid escape");
      }
    }
  }

  std::string_view text_;
  const std::string& what_;
  std::size_t pos_ = 0;
};

}  // namespace

const Value* Value::find(std::string_view key) const {
  for (const auto& [name, value] : members) {
    if (name == key) return &value;
  }
  return nullptr;
}

Value parse(std::string_view text, const std::string& what) { return Parser(text, what).document(); }

}  // namespace assay::explain::json
