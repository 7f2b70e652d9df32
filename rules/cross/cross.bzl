"""C/C++ cross toolchains for Debian's gcc-<triple> packages, for Bazel platforms.

Used with toolchain resolution, e.g. for aarch64:

    bazel test //... --incompatible_enable_cc_toolchain_resolution \\
        --platforms=@snnc//rules/cross:linux_aarch64 \\
        --run_under="qemu-aarch64 -L /usr/aarch64-linux-gnu"

after `register_toolchains("@snnc//rules/cross:all")` in the WORKSPACE.
"""

load("@bazel_tools//tools/cpp:unix_cc_toolchain_config.bzl", "cc_toolchain_config")

def debian_gcc_cross_toolchain(name, triple, cpu, gcc_version = "12"):
    """A cc_toolchain using /usr/bin/<triple>-gcc, registered as `name`."""
    config = name + "_config"
    cc_toolchain_config(
        name = config,
        cpu = cpu,
        compiler = "gcc",
        toolchain_identifier = triple,
        host_system_name = "x86_64-linux-gnu",
        target_system_name = triple,
        target_libc = "glibc",
        abi_version = "gcc",
        abi_libc_version = "glibc",
        cxx_builtin_include_directories = [
            "/usr/{}/include".format(triple),
            "/usr/lib/gcc-cross/{}/{}/include".format(triple, gcc_version),
            "/usr/lib/gcc-cross/{}/{}/include-fixed".format(triple, gcc_version),
            "/usr/{}/include/c++/{}".format(triple, gcc_version),
        ],
        tool_paths = dict(
            [
                (tool, "/usr/bin/{}-{}".format(triple, tool))
                for tool in ["ar", "cpp", "gcc", "gcov", "ld", "nm", "objdump", "strip"]
            ],
            # Coverage is not supported for cross builds; the key must exist.
            **{"llvm-cov": "/bin/false"}
        ),
        compile_flags = ["-fno-omit-frame-pointer", "-Wall"],
        opt_compile_flags = ["-O2", "-DNDEBUG"],
        link_flags = [],
        link_libs = ["-lm"],
        supports_start_end_lib = False,
    )
    native.cc_toolchain(
        name = name + "_cc",
        all_files = ":empty",
        ar_files = ":empty",
        as_files = ":empty",
        compiler_files = ":empty",
        dwp_files = ":empty",
        linker_files = ":empty",
        objcopy_files = ":empty",
        strip_files = ":empty",
        supports_param_files = 1,
        toolchain_config = ":" + config,
    )
    native.toolchain(
        name = name,
        exec_compatible_with = ["@platforms//cpu:x86_64", "@platforms//os:linux"],
        target_compatible_with = ["@platforms//cpu:" + cpu, "@platforms//os:linux"],
        toolchain = ":" + name + "_cc",
        toolchain_type = "@bazel_tools//tools/cpp:toolchain_type",
    )
