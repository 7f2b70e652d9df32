# Bare-metal Cortex-M3 (no FPU; all floating point in software) with Debian's gcc-arm-none-eabi and
# picolibc, semihosting for I/O; ctest runs programs on qemu-system-arm's
# mps2-an385 board through qemu-semihost.sh.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
# Linking a test program needs the flags below; let CMake's checks build a library.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(SNNC_PICOLIBC_SPECS /usr/lib/picolibc/arm-none-eabi/picolibc.specs)
set(CMAKE_C_FLAGS_INIT "-mcpu=cortex-m3 -mthumb -mfloat-abi=soft --specs=${SNNC_PICOLIBC_SPECS}")
set(CMAKE_CXX_FLAGS_INIT "${CMAKE_C_FLAGS_INIT}")
# 4 MiB of flash at 0 and 4 MiB of RAM at 0x20000000, as on the MPS2 boards;
# semihosting start-up code so that main() gets its arguments and exit() ends qemu.
set(CMAKE_EXE_LINKER_FLAGS_INIT "--oslib=semihost --crt0=semihost -Wl,--defsym=__flash=0x0 -Wl,--defsym=__flash_size=0x400000 -Wl,--defsym=__ram=0x20000000 -Wl,--defsym=__ram_size=0x400000")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_CROSSCOMPILING_EMULATOR ${CMAKE_CURRENT_LIST_DIR}/qemu-semihost.sh mps2-an385)
