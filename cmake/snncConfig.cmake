# snncConfig.cmake: CMake package of snnc, the NIR-to-C compiler for spiking networks.
#
#   find_package(snnc CONFIG REQUIRED)   # with -Dsnnc_DIR=$(python -m snnc --cmake-dir)
#   add_snn_model(kws MODEL kws.nir PRESET snntorch)
#   target_link_libraries(app PRIVATE snnc::kws)
#
# Variables read:
#   SNNC_PYTHON  Python interpreter in which snnc is installed. Default: the
#                interpreter of the virtual environment this file was installed
#                into, else python3 on the host (never the target's sysroot).
# Variables set:
#   snnc_VERSION, SNNC_PYTHON, SNNC_PACKAGE_DIR
include_guard(GLOBAL)

get_filename_component(SNNC_PACKAGE_DIR "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)

if(NOT SNNC_PYTHON)
  # <venv>/lib/pythonX.Y/site-packages/snnc/cmake -> <venv>/bin/python3
  get_filename_component(_snnc_venv "${SNNC_PACKAGE_DIR}/../../../.." ABSOLUTE)
  foreach(_snnc_candidate "${_snnc_venv}/bin/python3" "${_snnc_venv}/bin/python")
    if(EXISTS "${_snnc_candidate}")
      set(SNNC_PYTHON "${_snnc_candidate}")
      break()
    endif()
  endforeach()
endif()
if(NOT SNNC_PYTHON)
  # A cross toolchain file may restrict program lookup to the target sysroot;
  # the compiler runs on the host, so search the host.
  find_program(_snnc_host_python NAMES python3 python NO_CMAKE_FIND_ROOT_PATH)
  set(SNNC_PYTHON "${_snnc_host_python}")
endif()
set(SNNC_PYTHON "${SNNC_PYTHON}" CACHE FILEPATH "Python interpreter in which snnc is installed")

execute_process(
  COMMAND "${SNNC_PYTHON}" -c "import snnc; print(snnc.__version__)"
  OUTPUT_VARIABLE snnc_VERSION ERROR_VARIABLE _snnc_error
  RESULT_VARIABLE _snnc_result OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT _snnc_result EQUAL 0)
  message(FATAL_ERROR "snnc: '${SNNC_PYTHON}' cannot import snnc (${_snnc_error}). "
    "Install it there (pip install snnc) or set -DSNNC_PYTHON=/path/to/python.")
endif()

# Files whose change means a different compiler: generated code depends on them.
file(GLOB _snnc_compiler_files "${SNNC_PACKAGE_DIR}/*.py" "${SNNC_PACKAGE_DIR}/_core*"
     "${SNNC_PACKAGE_DIR}/frontend/*.py")
set(SNNC_COMPILER_FILES ${_snnc_compiler_files} CACHE INTERNAL "")

#[=======================================================================[.rst:
add_snn_model
-------------

Compiles a NIR model to C at build time and defines a static library target
``<name>`` (alias ``snnc::<name>``) whose public include directory holds
``<name>.h``::

  add_snn_model(<name>
    MODEL <file.nir>
    [PRESET snntorch|norse|rockpool|sinabs|spyx]  # the exporting framework's defaults
    [DT <seconds>]                      # time step (NIR stores none)
    [RESET value|subtract|subtract-delayed]
    [COMPARE gt|ge]
    [CUBA_ORDER current-first|voltage-first|joined]
    [TAU_CONVENTION nir|norse-inverse]
    [INTEGRATOR euler|exact]
    [SPIKES single|multiple]
    [CURRENT_UPDATE decay-then-add|add-then-decay]
    [INPUT_GAINS nir|unit]
    [SPIKE_TIMING after-update|before-update]
    [RESET_TIMING after-update|before-update]
    [CUBA_RESET_TIMING after-update|before-update]
    [INPUT_KIND values|spikes]          # spikes: a positive input is one spike
    [PRECISION f32|f64|int8|int16]      # default f32; int8/int16 quantize
    [CALIBRATE <inputs.npy>]            # integer models: state scales from activity
    [NO_OPT]                            # the reference lowering only
    [OUTPUT_DIR <dir>])                 # default ${CMAKE_CURRENT_BINARY_DIR}/snnc/<name>

Each option keyword is the option of ``snnc compile`` of the same name
(``CUBA_ORDER current-first`` is ``--cuba-order current-first``, ``NO_OPT`` is
``--no-opt``); ``snnc compile --help`` and docs/cmake.md say what they mean.
``<name>`` is also the C prefix of every generated symbol (``<name>_step``,
``<name>_state``, ...), so it must be a C identifier. snnc also refuses names
whose ``<name>.h`` would shadow a C11 or POSIX header for everything compiled
against the library (``string``, ``time``, ``math``, ... in any case), ``main``,
and identifiers reserved to the C implementation (``__x``, ``_X``); that error
comes from the compile step, when the build runs. Explicit options (DT,
RESET, ...) override the preset. The code is regenerated when the model, the
options or the installed compiler change, and not otherwise. The library is
compiled as C11 with ``-ffp-contract=off`` on GCC and Clang so that floating
point results do not depend on whether the compiler fuses multiply-adds.
#]=======================================================================]
function(add_snn_model name)
  # The options of `snnc compile` (python/snnc/options.py): the value of
  # keyword FOO_BAR is passed as --foo-bar, and the flag NO_OPT as --no-opt.
  # python/tests/test_options_table.py checks that these lists match the table.
  # (Set here, not beside include_guard: a function sees its caller's
  # variables, and a caller in another directory would not see them.)
  set(value_options PRESET DT RESET COMPARE CUBA_ORDER TAU_CONVENTION INTEGRATOR SPIKES
      CURRENT_UPDATE INPUT_GAINS SPIKE_TIMING RESET_TIMING CUBA_RESET_TIMING INPUT_KIND
      PRECISION CALIBRATE)
  set(flag_options NO_OPT)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "${flag_options}"
    "MODEL;OUTPUT_DIR;${value_options}" "")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "add_snn_model(${name}): unknown arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT name MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    message(FATAL_ERROR "add_snn_model(${name}): the name must be a C identifier")
  endif()
  if(NOT ARG_MODEL)
    message(FATAL_ERROR "add_snn_model(${name}): MODEL <file.nir> is required")
  endif()
  get_filename_component(model "${ARG_MODEL}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${model}")
    message(FATAL_ERROR "add_snn_model(${name}): model file not found: ${model}")
  endif()
  if(NOT ARG_PRESET AND NOT ARG_DT)
    message(FATAL_ERROR "add_snn_model(${name}): NIR stores no time step; give DT or PRESET")
  endif()
  set(out "${ARG_OUTPUT_DIR}")
  if(NOT out)
    set(out "${CMAKE_CURRENT_BINARY_DIR}/snnc/${name}")
  endif()

  set(options "")
  set(calibration "")
  foreach(keyword ${value_options} ${flag_options})
    string(TOLOWER "${keyword}" flag)
    string(REPLACE "_" "-" flag "--${flag}")
    if(keyword STREQUAL "CALIBRATE")
      if(DEFINED ARG_CALIBRATE)
        # An absolute path, and a dependency: new inputs mean new scales.
        get_filename_component(calibration "${ARG_CALIBRATE}" ABSOLUTE
                               BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
        if(NOT EXISTS "${calibration}")
          message(FATAL_ERROR
            "add_snn_model(${name}): calibration inputs not found: ${calibration}")
        endif()
        list(APPEND options "${flag}" "${calibration}")
      endif()
    elseif(keyword IN_LIST flag_options)
      if(ARG_${keyword})
        list(APPEND options "${flag}")
      endif()
    elseif(DEFINED ARG_${keyword})
      list(APPEND options "${flag}" "${ARG_${keyword}}")
    endif()
  endforeach()
  # A stamp of the options, rewritten only when they change, so that a new
  # option regenerates the code with every generator.
  set(stamp "${out}/${name}.snnc-options")
  set(stamp_text "${options}\n")
  if(EXISTS "${stamp}")
    file(READ "${stamp}" old_stamp_text)
  endif()
  if(NOT "${old_stamp_text}" STREQUAL "${stamp_text}")
    file(WRITE "${stamp}" "${stamp_text}")
  endif()

  add_custom_command(
    OUTPUT "${out}/${name}.c" "${out}/${name}.h"
    COMMAND "${SNNC_PYTHON}" -m snnc compile "${model}" -o "${out}" --name "${name}" ${options}
    DEPENDS "${model}" "${stamp}" ${calibration} ${SNNC_COMPILER_FILES}
    COMMENT "snnc: compiling ${ARG_MODEL} to ${name}.c"
    VERBATIM)
  add_library(${name} STATIC "${out}/${name}.c" "${out}/${name}.h")
  add_library(snnc::${name} ALIAS ${name})
  target_include_directories(${name} PUBLIC "$<BUILD_INTERFACE:${out}>")
  set_target_properties(${name} PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON
                                            C_EXTENSIONS OFF LINKER_LANGUAGE C)
  target_compile_options(${name} PRIVATE
    "$<$<C_COMPILER_ID:GNU,Clang,AppleClang>:-ffp-contract=off>")
endfunction()
