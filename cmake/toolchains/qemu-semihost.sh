#!/bin/sh
# Runs a bare-metal Arm program under qemu-system-arm with semihosting, the way
# CMAKE_CROSSCOMPILING_EMULATOR runs a program: MACHINE PROGRAM [ARGS...].
# The program's arguments reach its main() through semihosting, and its exit
# status comes back as this script's.
# With --count-instructions first, qemu runs one instruction per virtual
# nanosecond (-icount shift=0), so that the board's timers count instructions
# (`snnc bench --target cortex-m4f` reads SysTick so).
set -eu
icount=
if [ "${1:-}" = "--count-instructions" ]; then
  icount=shift=0
  shift
fi
machine=$1
program=$2
shift 2
# picolibc's start-up code names argv[0] itself and takes argv[1..] from the
# semihosting command line, so the program's own name is not passed.
config="enable=on,target=native"
for arg in "$@"; do
  case "$arg" in
    *,*) echo "qemu-semihost.sh: arguments may not contain commas: $arg" >&2; exit 2 ;;
  esac
  config="$config,arg=$arg"
done
# shellcheck disable=SC2086 # ${icount:+...} is two words or none
exec qemu-system-arm -M "$machine" ${icount:+-icount "$icount"} -nographic -monitor none \
  -serial none -semihosting-config "$config" -kernel "$program"
