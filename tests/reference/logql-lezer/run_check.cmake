# ctest logql_lezer_check: `npm ci` (when node_modules is missing or older
# than package-lock.json), then `node check.mjs`. Called with -DNPM= -DNODE=
# -DDIR=<this folder>.
if(NOT EXISTS "${DIR}/node_modules/@grafana/lezer-logql/package.json"
   OR "${DIR}/package-lock.json" IS_NEWER_THAN "${DIR}/node_modules/.package-lock.json")
  execute_process(COMMAND "${NPM}" ci --prefix "${DIR}" --no-audit --no-fund
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "npm ci --prefix ${DIR} failed (${rc})")
  endif()
endif()
execute_process(COMMAND "${NODE}" "${DIR}/check.mjs" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "check.mjs found disagreements not listed in known_differences.txt (${rc})")
endif()
