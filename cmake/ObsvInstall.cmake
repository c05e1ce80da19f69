include(CMakePackageConfigHelpers)

install(DIRECTORY include/obsv DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

get_property(_obsv_modules GLOBAL PROPERTY OBSV_MODULES)
set(_obsv_install_targets ${_obsv_modules})
if(OBSV_BUILD_SHARED)
  list(APPEND _obsv_install_targets obsv)
endif()
install(TARGETS ${_obsv_install_targets}
  EXPORT obsvTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(TARGET obsv_cli)
  install(TARGETS obsv_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

install(EXPORT obsvTargets NAMESPACE obsv::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/obsv)
configure_package_config_file(cmake/obsvConfig.cmake.in
  ${PROJECT_BINARY_DIR}/obsvConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/obsv)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/obsvConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/obsvConfig.cmake
              ${PROJECT_BINARY_DIR}/obsvConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/obsv)

# obsv.pc finds its prefix relative to itself, so the install can move:
# one ".." per component of <libdir>/pkgconfig.
string(REPLACE "/" ";" _obsv_libdir_parts "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
set(OBSV_PC_PREFIX "\${pcfiledir}")
foreach(_part IN LISTS _obsv_libdir_parts)
  string(APPEND OBSV_PC_PREFIX "/..")
endforeach()
configure_file(cmake/obsv.pc.in ${PROJECT_BINARY_DIR}/obsv.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/obsv.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
