# obsv_add_module(NAME SOURCES ... DEPS ...)
# One static library per module (PIC, hidden visibility), aliased obsv::NAME.
function(obsv_add_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(obsv_${name} STATIC ${ARG_SOURCES})
  add_library(obsv::${name} ALIAS obsv_${name})
  set_target_properties(obsv_${name} PROPERTIES EXPORT_NAME ${name})
  target_include_directories(obsv_${name}
    PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
           $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(obsv_${name} PUBLIC ${ARG_DEPS})
  obsv_set_warnings(obsv_${name})
  if(OBSV_NO_EXCEPTIONS)
    target_compile_options(obsv_${name} PRIVATE -fno-exceptions)
  endif()
  set_property(GLOBAL APPEND PROPERTY OBSV_MODULES obsv_${name})
endfunction()

function(obsv_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wno-unused-parameter -Werror=switch-enum -Werror=return-type)
endfunction()
