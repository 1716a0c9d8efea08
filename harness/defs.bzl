"""The rules every harness package repeats, with the project's flags.

    sockspec_cc_library(name = "judge", srcs = [...], hdrs = [...], deps = [...])
    sockspec_cc_test(name = "judge_test", srcs = ["judge_test.cc"], deps = [...])

Each adds SOCKSPEC_COPTS to the target's own copts; tests are size "small"
unless told otherwise.
"""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_library", "cc_test")
load("//harness:copts.bzl", "SOCKSPEC_COPTS")

def sockspec_cc_library(name, copts = [], **kwargs):
    cc_library(name = name, copts = SOCKSPEC_COPTS + copts, **kwargs)

def sockspec_cc_binary(name, copts = [], **kwargs):
    cc_binary(name = name, copts = SOCKSPEC_COPTS + copts, **kwargs)

def sockspec_cc_test(name, copts = [], size = "small", **kwargs):
    cc_test(name = name, size = size, copts = SOCKSPEC_COPTS + copts, **kwargs)

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
