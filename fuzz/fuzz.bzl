"""sockspec_fuzz_test: a libFuzzer target and its corpus regression test.

sockspec_fuzz_test(name = "ops_fuzzer", srcs = ["ops_fuzzer.cc"], deps = [...])
makes
  :ops_fuzzer       the fuzzer binary: libFuzzer under --config=fuzz, otherwise
                    a replayer that runs each file or directory it is given once;
  :ops_fuzzer_test  a test (any compiler, no libFuzzer) that replays
                    corpus/ops_fuzzer/ and fails on any finding.
The dictionary ops_fuzzer.dict sits beside the source.
"""

load("//harness:defs.bzl", "sockspec_cc_binary", "sockspec_cc_library", "sockspec_cc_test")

def sockspec_fuzz_test(name, srcs, deps = [], seed_dirs = [], seed_data = [], **kwargs):
    """seed_dirs: more folders the regression test replays (with seed_data,
    their files as labels); list them in fuzz/NAME.seeds too, for ci/fuzz.sh
    and oss_fuzz_build.sh."""
    corpus = native.glob(["corpus/%s/**" % name])
    engine = select({
        "//fuzz:libfuzzer": [],
        "//conditions:default": ["//fuzz:replay_main"],
    })
    # The fuzzer's sources compiled once, for the fuzzer and its test;
    # alwayslink keeps LLVMFuzzerTestOneInput, which only the engine calls.
    sockspec_cc_library(
        name = name + "_lib",
        srcs = srcs,
        deps = deps,
        alwayslink = True,
        **kwargs
    )
    sockspec_cc_binary(
        name = name,
        deps = [":" + name + "_lib"] + engine,
        linkopts = select({
            "//fuzz:libfuzzer": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        **kwargs
    )
    sockspec_cc_test(
        name = name + "_test",
        deps = [":" + name + "_lib", "//fuzz:replay_main"],
        args = ["fuzz/corpus/" + name] + seed_dirs,
        data = corpus + seed_data,
        **kwargs
    )
