# Re-runs the Go oracle (this directory's main.go, Prometheus v0.309.1's
# parser) over the PromQL corpus and fails when a committed .expected file
# is not exactly what it prints now, so that they cannot go stale:
#
#   valid.txt   -> valid.expected         (String())
#   valid.txt   -> valid.pretty.expected  (Prettify(), -pretty)
#   invalid.txt -> invalid.expected       (errors and offsets)
#   generated.txt -> generated.expected, generated.pretty.expected
#   random.txt -> random.expected, random.pretty.expected
#   features.txt -> features.off.expected, features.off.pretty.expected
#                   (no feature flag), features.on.expected,
#                   features.on.pretty.expected (-features all)
#
#   cmake -DGO=/path/to/go -DORACLE_DIR=tests/reference/promql \
#         -DTESTDATA_DIR=tests/testdata/promql -DWORK_DIR=build/promql-oracle \
#         -P tests/reference/promql/check_expected.cmake
#
# Registered as the ctest promql_oracle_expected when `go` is found. Modules
# come from the module cache (GOFLAGS=-mod=mod unless GOFLAGS is set); the
# first run may fetch them through the Go proxy.
foreach(var GO ORACLE_DIR TESTDATA_DIR WORK_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_expected.cmake: -D${var}=... is required")
  endif()
endforeach()

if("$ENV{GOFLAGS}" STREQUAL "")
  set(ENV{GOFLAGS} "-mod=mod")
endif()
file(MAKE_DIRECTORY "${WORK_DIR}")
set(oracle "${WORK_DIR}/promql-oracle")
execute_process(
  COMMAND "${GO}" build -buildvcs=false -o "${oracle}" .
  WORKING_DIRECTORY "${ORACLE_DIR}"
  RESULT_VARIABLE rc
  ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "go build of the PromQL oracle failed (${rc}):\n${err}")
endif()

set(stale "")
function(check input expected)
  set(fresh "${WORK_DIR}/${expected}")
  execute_process(
    COMMAND "${oracle}" ${ARGN}
    INPUT_FILE "${TESTDATA_DIR}/${input}"
    OUTPUT_FILE "${fresh}"
    RESULT_VARIABLE rc
    ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "the PromQL oracle failed on ${input} (${rc}):\n${err}")
  endif()
  execute_process(
    COMMAND "${CMAKE_COMMAND}" -E compare_files "${fresh}" "${TESTDATA_DIR}/${expected}"
    RESULT_VARIABLE differs)
  if(differs)
    message(SEND_ERROR "${expected} is stale: the oracle now prints ${fresh}\n"
            "  diff ${fresh} ${TESTDATA_DIR}/${expected}\n"
            "  regenerate: cd ${ORACLE_DIR} && go run . ${ARGN} < ../../testdata/promql/${input} "
            "> ../../testdata/promql/${expected}")
    set(stale "${stale} ${expected}" PARENT_SCOPE)
  else()
    message(STATUS "${expected}: up to date")
  endif()
endfunction()

check(valid.txt valid.expected)
check(valid.txt valid.pretty.expected -pretty)
check(invalid.txt invalid.expected)
check(generated.txt generated.expected)
check(generated.txt generated.pretty.expected -pretty)
check(random.txt random.expected)
check(random.txt random.pretty.expected -pretty)
check(features.txt features.off.expected)
check(features.txt features.off.pretty.expected -pretty)
check(features.txt features.on.expected -features all)
check(features.txt features.on.pretty.expected -pretty -features all)
if(stale)
  message(FATAL_ERROR "stale expected files:${stale}")
endif()
