# Installs the project into a scratch prefix, then configures, builds and runs tests/consumer
# against it with find_package. Variables: SOURCE_DIR, WORK_DIR.
file(REMOVE_RECURSE "${WORK_DIR}")
function(step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "step failed: ${ARGN}\n${out}")
  endif()
endfunction()
step(${CMAKE_COMMAND} -S "${SOURCE_DIR}" -B "${WORK_DIR}/lib" -DFUSEDNMF_BUILD_TESTS=OFF
     -DFUSEDNMF_BUILD_EXAMPLES=OFF -DFUSEDNMF_BUILD_BENCHMARKS=OFF -DFUSEDNMF_PYTHON=OFF)
# That configure named no build type: it must have become Release, not an unoptimised build.
file(STRINGS "${WORK_DIR}/lib/CMakeCache.txt" build_type REGEX "^CMAKE_BUILD_TYPE:")
if(NOT build_type MATCHES "=Release$")
  message(FATAL_ERROR "a configure without CMAKE_BUILD_TYPE should default to Release, got: ${build_type}")
endif()
step(${CMAKE_COMMAND} --install "${WORK_DIR}/lib" --prefix "${WORK_DIR}/prefix")
step(${CMAKE_COMMAND} -S "${SOURCE_DIR}/tests/consumer" -B "${WORK_DIR}/consumer"
     -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix)
step(${CMAKE_COMMAND} --build "${WORK_DIR}/consumer")
step("${WORK_DIR}/consumer/consumer")
message(STATUS "find_package(fusednmf) from an installed copy works")
