# ctest logql_corpus_expected: valid.expected is what canon.mjs writes from
# valid.txt (the README's printing rules), and every primitive conversion it
# made agrees with Go's strconv/fmt/time (tools/gocheck). Called with
# -DNODE= [-DGO=] -DDIR=<tests/testdata/logql> -DWORK=<scratch dir>.
file(MAKE_DIRECTORY "${WORK}")
execute_process(COMMAND "${CMAKE_COMMAND}" -E env "CANON_TRACE=${WORK}/trace.tsv"
                        "${NODE}" "${DIR}/canon.mjs" "${DIR}/valid.txt"
                OUTPUT_FILE "${WORK}/valid.expected" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "canon.mjs failed on valid.txt (${rc})")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${WORK}/valid.expected" "${DIR}/valid.expected"
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "valid.expected is stale: node canon.mjs valid.txt > valid.expected")
endif()
message(STATUS "valid.expected matches canon.mjs")
if(GO)
  execute_process(COMMAND "${GO}" run . "${WORK}/trace.tsv"
                  WORKING_DIRECTORY "${DIR}/tools/gocheck" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "tools/gocheck: canon.mjs and Go disagree (${rc})")
  endif()
else()
  message(STATUS "go not found: the Go recomputation of the primitives is skipped")
endif()
