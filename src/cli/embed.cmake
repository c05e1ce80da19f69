# Writes OUTPUT, a .cc defining BundledExposition() with the bytes of INPUT.
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_len)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
get_filename_component(name "${INPUT}" NAME)
file(WRITE "${OUTPUT}" "// Generated from ${name} by src/cli/embed.cmake.\n#include \"cli/bundled_exposition.h\"\n\nnamespace obsv::cli {\nnamespace {\nconstexpr unsigned char kData[] = {${bytes}};\n}  // namespace\n\nstd::string_view BundledExposition() { return std::string_view(reinterpret_cast<const char*>(kData), sizeof(kData)); }\nconst char* BundledExpositionName() { return \"${name}\"; }\n\n}  // namespace obsv::cli\n")
