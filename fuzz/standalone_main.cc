// Runs a libFuzzer target without libFuzzer (g++ has none): every seed file,
// then deterministic mutations of them (byte flips, inserts of format
// punctuation, truncations, splices) for a fixed number of iterations.
//
//   exposition_fuzzer_smoke ITERATIONS SEED_FILE...
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
// A target may define its own insertion tokens (its language's punctuation
// and keywords); otherwise the exposition format's below are used.
extern "C" __attribute__((weak)) const char* const* ObsvFuzzTokens(size_t* count);

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s ITERATIONS SEED_FILE...\n", argv[0]);
    return 2;
  }
  long iterations = std::atol(argv[1]);
  std::vector<std::string> seeds;
  for (int i = 2; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    if (iterations > 0 && s.size() > 4096) s.resize(4096);  // keep mutation runs fast
    seeds.push_back(s);
  }
  for (const std::string& s : seeds) {
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  }
  static const char* const kExpositionTokens[] = {
      "{", "}", "\"", "\\", "=", ",", " ", "\n", "#", "# EOF\n", "\\n", "\\\"",
      "+Inf", "NaN", "_total", "_bucket", "le=\"", "\xff", "\xc3", "", "\r"};  // "": a NUL byte
  const char* const* tokens = kExpositionTokens;
  size_t token_count = sizeof(kExpositionTokens) / sizeof(kExpositionTokens[0]);
  if (ObsvFuzzTokens != nullptr) tokens = ObsvFuzzTokens(&token_count);
  uint64_t state = 0x9E3779B97F4A7C15ULL;
  auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  for (long it = 0; it < iterations && !seeds.empty(); ++it) {
    std::string s = seeds[next() % seeds.size()];
    int edits = 1 + static_cast<int>(next() % 4);
    for (int k = 0; k < edits; ++k) {
      size_t pos = s.empty() ? 0 : next() % (s.size() + 1);
      switch (next() % 5) {
        case 0:
          if (!s.empty() && pos < s.size()) s[pos] = static_cast<char>(next());
          break;
        case 1: {
          const char* t = tokens[next() % token_count];
          s.insert(pos, t, t[0] == 0 ? 1 : std::char_traits<char>::length(t));
          break;
        }
        case 2:
          s.resize(pos);
          break;
        case 3:
          if (pos < s.size()) s.erase(pos, 1 + next() % 8);
          break;
        default: {
          const std::string& other = seeds[next() % seeds.size()];
          size_t from = other.empty() ? 0 : next() % other.size();
          s.insert(pos, other.substr(from, 1 + next() % 64));
        }
      }
    }
    if (const char* keep = std::getenv("OBSV_FUZZ_LAST_INPUT")) {
      // Debugging: the input about to run, so a violation can be replayed.
      std::ofstream(keep, std::ios::binary) << s;
    }
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  }
  std::printf("%s: %zu seeds and %ld mutations, no property violated\n", argv[0], seeds.size(), iterations);
  return 0;
}
