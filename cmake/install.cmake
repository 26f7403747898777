# install.cmake: what `cmake --install` puts under a prefix, man pages, shell completion, and
# the CPack packages (.deb; .rpm where rpmbuild exists).  Included by the top CMakeLists.
#
#   PREFIX/bin/ringlab, ringlab-micro, ringlab-report
#   PREFIX/share/ringlab/python/ringlab_analysis/    the analysis package ringlab-report runs
#   PREFIX/share/ringlab/presets/*.json               the presets (also compiled into ringlab:
#                                                     the binary never reads files to find them)
#   PREFIX/share/ringlab/schema/results-v1.schema.json
#   PREFIX/share/doc/ringlab/                         README.md, SCHEMA.md
#   PREFIX/share/man/man1/*.1                         from --help by help2man, when it is installed
#   PREFIX/share/bash-completion/completions/ringlab, ringlab-report
include(GNUInstallDirs)

set(RINGLAB_DATADIR ${CMAKE_INSTALL_DATADIR}/ringlab)

if(TARGET ringlab)
  install(TARGETS ringlab RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
if(TARGET ringlab-micro)
  install(TARGETS ringlab-micro RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
# ringlab-report finds its package beside itself (a clone) or in ../share/ringlab/python (here).
install(PROGRAMS ${PROJECT_SOURCE_DIR}/analysis/ringlab-report DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/analysis/ringlab_analysis DESTINATION ${RINGLAB_DATADIR}/python
        FILES_MATCHING PATTERN "*.py" PATTERN "__pycache__" EXCLUDE)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/bench/presets/ DESTINATION ${RINGLAB_DATADIR}/presets
        FILES_MATCHING PATTERN "*.json")
install(FILES ${PROJECT_SOURCE_DIR}/results/schema/results-v1.schema.json DESTINATION ${RINGLAB_DATADIR}/schema)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/results/SCHEMA.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${PROJECT_SOURCE_DIR}/packaging/bash-completion/ringlab
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/bash-completion/ringlab
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME ringlab-report)

# Man pages: help2man runs each program's --help at build time, so a page never disagrees with
# the binary.  Without help2man (Debian: help2man) the pages are left out, with a message.
find_program(RINGLAB_HELP2MAN help2man)
find_package(Python3 COMPONENTS Interpreter)
# Not when cross-compiling: the pages come from running the binaries.
if(RINGLAB_HELP2MAN AND TARGET ringlab AND NOT CMAKE_CROSSCOMPILING)
  set(_man ${CMAKE_BINARY_DIR}/man)
  set(_v "--version-string=${PROJECT_VERSION}")
  add_custom_command(OUTPUT ${_man}/ringlab.1
    COMMAND ${CMAKE_COMMAND} -E make_directory ${_man}
    COMMAND sh ${PROJECT_SOURCE_DIR}/packaging/man-commands.sh $<TARGET_FILE:ringlab> ${_man}/ringlab.h2m
    COMMAND ${RINGLAB_HELP2MAN} --no-info --no-discard-stderr ${_v} --include ${_man}/ringlab.h2m
            --name "cycle-level benchmark of virtio-style shared-memory rings" -o ${_man}/ringlab.1 $<TARGET_FILE:ringlab>
    DEPENDS ringlab ${PROJECT_SOURCE_DIR}/packaging/man-commands.sh VERBATIM)
  set(_pages ${_man}/ringlab.1)
  if(TARGET ringlab-micro)
    # ringlab-micro is a Google Benchmark binary: its --help is Google Benchmark's.
    add_custom_command(OUTPUT ${_man}/ringlab-micro.1
      COMMAND ${CMAKE_COMMAND} -E make_directory ${_man}
      COMMAND ${RINGLAB_HELP2MAN} --no-info --no-discard-stderr ${_v}
              --name "Google Benchmark microbenchmarks of ring barriers and the core-to-core round trip"
              -o ${_man}/ringlab-micro.1 $<TARGET_FILE:ringlab-micro>
      DEPENDS ringlab-micro VERBATIM)
    list(APPEND _pages ${_man}/ringlab-micro.1)
  endif()
  add_custom_command(OUTPUT ${_man}/ringlab-report.1
    COMMAND ${CMAKE_COMMAND} -E make_directory ${_man}
    COMMAND ${RINGLAB_HELP2MAN} --no-info ${_v} --name "reports, comparisons, history and exports of ringlab results"
            -o ${_man}/ringlab-report.1 ${PROJECT_SOURCE_DIR}/analysis/ringlab-report
    DEPENDS ${PROJECT_SOURCE_DIR}/analysis/ringlab-report ${PROJECT_SOURCE_DIR}/analysis/ringlab_analysis/cli.py VERBATIM)
  list(APPEND _pages ${_man}/ringlab-report.1)
  add_custom_target(ringlab-man ALL DEPENDS ${_pages})
  install(FILES ${_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
elseif(TARGET ringlab AND NOT CMAKE_CROSSCOMPILING)
  message(STATUS "help2man not found: no man pages (Debian: apt-get install help2man)")
endif()

# Packages: `cpack -G DEB` (and RPM where rpmbuild exists) in the build directory.
set(CPACK_PACKAGE_NAME ringlab)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "ringlab developers <ringlab@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "cycle-level benchmark and lab harness for virtio-style shared-memory rings")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES OFF)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# The shared libraries' packages (libbenchmark1debian, libpfm4, libc6, libstdc++6) come from
# dpkg-shlibdeps; the analysis needs Debian's Python packages.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "python3, python3-numpy, python3-scipy, python3-matplotlib")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "hwloc, linux-perf, libbenchmark-tools")
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_LICENSE "unspecified")
set(CPACK_RPM_PACKAGE_REQUIRES "python3, python3-numpy, python3-scipy, python3-matplotlib")
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION /usr/share/man /usr/share/man/man1
    /usr/share/bash-completion /usr/share/bash-completion/completions)
find_program(RINGLAB_RPMBUILD rpmbuild)
set(CPACK_GENERATOR DEB)
if(RINGLAB_RPMBUILD)
  list(APPEND CPACK_GENERATOR RPM)
endif()
include(CPack)
