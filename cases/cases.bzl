"""sockspec_case_tests: one Bazel test per case file, all sharing one binary.

    sockspec_case_tests(name = "cases", srcs = glob(["**/*.case"], exclude = ["invalid/**"]))

makes a test per file, named from its path (`close/read-after-peer-close-is-eof`
becomes `:close_read-after-peer-close-is-eof`), and a test_suite `name` of all.
Each test's executable is a symlink to //harness:sockspec, so adding a case
links nothing; the binary writes each matrix instance into test.xml.
"""

def _case_test_impl(ctx):
    exe = ctx.actions.declare_file(ctx.label.name)
    ctx.actions.symlink(
        output = exe,
        target_file = ctx.executable._sockspec,
        is_executable = True,
    )
    runfiles = ctx.runfiles(files = [ctx.file.case]).merge(
        ctx.attr._sockspec[DefaultInfo].default_runfiles,
    )
    return [DefaultInfo(executable = exe, runfiles = runfiles)]

_case_test = rule(
    implementation = _case_test_impl,
    test = True,
    attrs = {
        "case": attr.label(allow_single_file = [".case"], mandatory = True),
        "_sockspec": attr.label(
            default = "//harness:sockspec",
            executable = True,
            cfg = "target",
        ),
    },
)

def sockspec_case_tests(name, srcs, **kwargs):
    tests = []
    for src in srcs:
        test_name = src[:-len(".case")].replace("/", "_")
        _case_test(
            name = test_name,
            case = src,
            args = ["run", native.package_name() + "/" + src],
            size = "small",
            tags = ["case"],
            **kwargs
        )
        tests.append(test_name)
    native.test_suite(name = name, tests = tests)
