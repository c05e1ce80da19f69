// Helpers shared by the exposition tests.
#ifndef OBSV_TESTS_EXPOSITION_TEST_UTIL_H_
#define OBSV_TESTS_EXPOSITION_TEST_UTIL_H_

#include <string>
#include <string_view>
#include <vector>

#include "obsv/exposition_parser.h"

namespace obsv::testing {

std::string ReadTestFile(const std::string& relative_path);

struct CorpusFile {
  std::string name;
  ExpositionFormat format;
};
// Every real capture in tests/testdata/corpus.
std::vector<CorpusFile> CorpusFiles();

// One line per entry, with every field the parser exposes, ending in the
// error ("ERROR code L:C") if any. Two parses agree iff their dumps do.
std::string DumpAll(ExpositionParser& parser);
std::string DumpWhole(std::string_view body, const ParserOptions& options);
// Feeds the body in chunks of the given sizes (cycled), draining between.
std::string DumpChunked(std::string_view body, const ParserOptions& options,
                        const std::vector<size_t>& chunk_sizes);

}  // namespace obsv::testing

#endif  // OBSV_TESTS_EXPOSITION_TEST_UTIL_H_
