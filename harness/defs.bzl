"""The rules every harness package repeats, with the project's flags.

    sockspec_cc_library(name = "judge", srcs = [...], hdrs = [...], deps = [...])
    sockspec_cc_test(name = "judge_test", srcs = ["judge_test.cc"], deps = [...])

Each adds SOCKSPEC_COPTS to the target's own copts, and compiles with a
precompiled prefix header (//harness/pch) where the build has one; tests are
size "small" unless told otherwise.
"""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_library", "cc_test")
load("//harness:copts.bzl", "SOCKSPEC_COPTS")

def _with_prefix(prefix, copts, deps):
    """copts and deps that compile a target's sources with the precompiled
    //harness/pch:PREFIX where it is enabled (harness/pch/pch.bzl). A target
    whose copts change the language options (an -O level) cannot use it."""
    if not prefix:
        return SOCKSPEC_COPTS + copts, deps
    return SOCKSPEC_COPTS + copts + select({
        "//harness/pch:enabled": [
            "-include-pch",
            "$(BINDIR)/harness/pch/%s.pch" % prefix,
            # The .pch in the .d file: Bazel keeps only the inputs a compile's
            # .d file names, so without it a new .pch would not recompile.
            "-Xclang",
            "-module-file-deps",
        ],
        "//conditions:default": [],
    }), deps + ["//harness/pch:" + prefix]

def sockspec_cc_library(name, copts = [], deps = [], precompiled_prefix = True, **kwargs):
    copts, deps = _with_prefix(precompiled_prefix and "prefix", copts, deps)
    cc_library(name = name, copts = copts, deps = deps, **kwargs)

def sockspec_cc_binary(name, copts = [], deps = [], **kwargs):
    copts, deps = _with_prefix("prefix", copts, deps)
    cc_binary(name = name, copts = copts, deps = deps, **kwargs)

def sockspec_cc_test(name, copts = [], deps = [], size = "small", **kwargs):
    copts, deps = _with_prefix("test_prefix", copts, deps)
    cc_test(name = name, size = size, copts = copts, deps = deps, **kwargs)

def sockspec_package_sources():
    """The package's non-test sources as :srcs, for //harness:fuzz_sources
    (fuzz/oss_fuzz_build.sh compiles them without Bazel)."""
    native.filegroup(
        name = "srcs",
        srcs = native.glob(
            ["*.cc", "*.h"],
            exclude = ["*_test.cc", "*_test_util.cc", "*_test_util.h"],
        ),
        visibility = ["//harness:__pkg__"],
    )
