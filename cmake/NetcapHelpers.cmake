# One small helper per kind of unit: libraries, Catch2 test executables, fuzz targets.

include(CheckCXXCompilerFlag)
check_cxx_compiler_flag(-Wshadow=local NETCAP_HAS_WSHADOW_LOCAL)
function(netcap_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic
                                           -Wno-missing-field-initializers)
  if(NETCAP_HAS_WSHADOW_LOCAL)
    target_compile_options(${target} PRIVATE -Wshadow=local)
  endif()
endfunction()

# netcap_library(NAME SOURCES a.cc b.cc DEPS other_lib ...)
function(netcap_library name)
  cmake_parse_arguments(A "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${A_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  target_link_libraries(${name} PUBLIC ${A_DEPS})
  netcap_warnings(${name})
endfunction()

# netcap_test(NAME SOURCES t.cc DEPS lib ... [LABELS unit])
# A Catch2 executable; every TEST_CASE becomes its own ctest test.
function(netcap_test name)
  cmake_parse_arguments(A "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT A_LABELS)
    set(A_LABELS unit)
  endif()
  add_executable(${name} ${A_SOURCES})
  target_link_libraries(${name} PRIVATE netcap_catch_main ${A_DEPS})
  target_compile_definitions(${name} PRIVATE
    NETCAP_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    NETCAP_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
  netcap_warnings(${name})
  catch_discover_tests(${name} PROPERTIES LABELS "${A_LABELS}" TEST_PREFIX "${name}: ")
endfunction()

# netcap_fuzzer(NAME SOURCES f.cc DEPS lib ... CORPUS dir...)
# With NETCAP_FUZZ (clang): a libFuzzer executable. Otherwise the same target linked with a
# standalone driver that replays the corpus directories; it is registered with ctest (label
# "fuzz") so every build replays the corpus and the regression inputs.
function(netcap_fuzzer name)
  cmake_parse_arguments(A "" "" "SOURCES;DEPS;CORPUS" ${ARGN})
  if(NETCAP_FUZZ)
    add_executable(${name} ${A_SOURCES})
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(${name} PRIVATE ${A_DEPS})
    # For scripts/fuzz.sh: the target and its seed corpora.
    string(REPLACE ";" " " _corpora "${A_CORPUS}")
    file(APPEND ${PROJECT_BINARY_DIR}/fuzzers.tsv "${name}\t${_corpora}\n")
  else()
    add_executable(${name} ${A_SOURCES} ${PROJECT_SOURCE_DIR}/tests/fuzz/standalone_main.cc)
    target_link_libraries(${name} PRIVATE ${A_DEPS})
    netcap_warnings(${name})
    if(NETCAP_TESTS AND A_CORPUS)
      add_test(NAME "fuzz-replay: ${name}" COMMAND ${name} ${A_CORPUS})
      set_tests_properties("fuzz-replay: ${name}" PROPERTIES LABELS fuzz)
    endif()
  endif()
endfunction()
