"""The cross-compiling toolchain files (cmake/toolchains/*.cmake) read from
Python, and bare-metal Cortex-M programs built and run with them.

The toolchain files are the one description of each target: the compiler,
its flags, and for the Cortex-M boards the memory map, picolibc's
semihosting start-up code and the qemu board (through qemu-semihost.sh,
CMake's emulator). `snnc bench --target cortex-m4f` builds and runs with
what they say, as the CMake builds of scripts/portability.py do, rather
than with a copy of it.
"""
from __future__ import annotations

import dataclasses
import os
import re
import shlex
import shutil
import subprocess
from typing import Dict, List, Optional, Sequence

from .errors import SNNCError

# The bare-metal targets, each a toolchain file of the same name.
CORTEX_M_TARGETS = ("cortex-m4f", "cortex-m3")
# SysTick's processor clock on qemu's MPS2 boards (SYSCLK, 25 MHz). Under
# -icount shift=0 an instruction takes one virtual nanosecond, so a tick of
# this clock is 1e9 / 25e6 = 40 instructions.
MPS2_CLOCK_HZ = 25_000_000
INSTRUCTIONS_PER_SECOND_UNDER_ICOUNT = 1_000_000_000
QEMU = "qemu-system-arm"

_SET = re.compile(r'^\s*set\(\s*(\w+)\s+(.*?)\s*\)\s*$')
_REFERENCE = re.compile(r'\$\{(\w+)\}')


def toolchain_dir() -> str:
    """cmake/toolchains of this installation (or of the source tree)."""
    from . import cmake_dir
    return os.path.join(cmake_dir(), "toolchains")


def read_toolchain(name: str, directory: Optional[str] = None) -> Dict[str, str]:
    """The variables a toolchain file sets (`set(NAME value)`, one a line),
    with ${VAR} references to earlier ones and to CMAKE_CURRENT_LIST_DIR
    expanded and one level of quotes removed."""
    directory = directory or toolchain_dir()
    path = os.path.join(directory, name + ".cmake")
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError as exc:
        raise SNNCError(f"cannot read the toolchain file ({exc.strerror})", path=path) from None
    variables = {"CMAKE_CURRENT_LIST_DIR": directory}
    for line in lines:
        match = _SET.match(line)
        if not match:
            continue
        value = _REFERENCE.sub(lambda m: variables.get(m.group(1), ""), match.group(2))
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        variables[match.group(1)] = value
    return variables


def compiler_of(name: str, directory: Optional[str] = None) -> str:
    """The C compiler a toolchain file names."""
    return read_toolchain(name, directory)["CMAKE_C_COMPILER"]


def size_tool_of(compiler: str) -> str:
    """binutils' `size` beside a gcc cross compiler (arm-none-eabi-gcc ->
    arm-none-eabi-size)."""
    return re.sub(r"gcc$", "size", compiler)


@dataclasses.dataclass(frozen=True)
class Board:
    """A bare-metal target as its toolchain file describes it."""
    target: str               # cortex-m4f
    compiler: str             # arm-none-eabi-gcc
    compile_flags: List[str]  # -mcpu=... --specs=picolibc.specs
    link_flags: List[str]     # semihosting crt0, memory map
    emulator: List[str]       # qemu-semihost.sh MACHINE
    clock_hz: int = MPS2_CLOCK_HZ

    @property
    def size_tool(self) -> str:
        return size_tool_of(self.compiler)

    @property
    def machine(self) -> str:
        return self.emulator[-1]

    @property
    def instructions_per_tick(self) -> int:
        return INSTRUCTIONS_PER_SECOND_UNDER_ICOUNT // self.clock_hz

    def missing_tools(self) -> List[str]:
        """What this machine lacks to build and run for the board."""
        missing = [tool for tool in (self.compiler, self.size_tool, QEMU)
                   if shutil.which(tool) is None]
        specs = [flag.split("=", 1)[1] for flag in self.compile_flags
                 if flag.startswith("--specs=")]
        missing += [f"picolibc ({path})" for path in specs if not os.path.isfile(path)]
        return missing

    def run(self, program: str, args: Sequence[str], *, count_instructions: bool = False,
            timeout: Optional[float] = None) -> subprocess.CompletedProcess:
        """Runs `program` on the board with `args` on its semihosting command
        line; with count_instructions, under -icount shift=0. The program's
        output (semihosting) comes back on stderr."""
        command = [self.emulator[0]] + (["--count-instructions"] if count_instructions else []) \
            + self.emulator[1:] + [program, *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def cortex_m_board(target: str, directory: Optional[str] = None) -> Board:
    """The board of a bare-metal target (CORTEX_M_TARGETS)."""
    if target not in CORTEX_M_TARGETS:
        raise SNNCError(f"unknown bare-metal target '{target}'; known: "
                        f"{', '.join(CORTEX_M_TARGETS)}")
    directory = directory or toolchain_dir()
    variables = read_toolchain(target, directory)
    return Board(target=target, compiler=variables["CMAKE_C_COMPILER"],
                 compile_flags=shlex.split(variables["CMAKE_C_FLAGS_INIT"]),
                 link_flags=shlex.split(variables["CMAKE_EXE_LINKER_FLAGS_INIT"]),
                 emulator=shlex.split(variables["CMAKE_CROSSCOMPILING_EMULATOR"]))


def section_sizes(size_tool: str, path: str) -> Dict[str, int]:
    """{section: bytes} of an object or ELF file, from `size -A` (sections
    of the same name, e.g. .rodata.* of several objects, counted under the
    name up to its second dot)."""
    result = subprocess.run([size_tool, "-A", path], capture_output=True, text=True)
    if result.returncode != 0:
        raise SNNCError(f"{size_tool} failed: {result.stderr.strip()}", path=path)
    sizes: Dict[str, int] = {}
    for line in result.stdout.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[0].startswith(".") and fields[1].isdigit():
            name = "." + fields[0].split(".")[1]
            sizes[name] = sizes.get(name, 0) + int(fields[1])
    return sizes
