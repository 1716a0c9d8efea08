#!/usr/bin/env python3
"""Lists namespace-level names declared in more than one file of harness/,
fuzz/ and bench/ (types, aliases, constants, functions declared in two
headers), namespace by namespace; exits 1 when there is one. Anonymous
namespaces and function bodies are skipped. Run from the repository root:
    python3 ci/duplicate_names.py      # -v lists every name it saw
"""
import re, sys, glob, collections
files = [f for d in ("harness", "fuzz", "bench") for f in glob.glob(d + "/**/*.h", recursive=True) + glob.glob(d + "/**/*.cc", recursive=True)]
decl_type = re.compile(r'^\s*(?:struct|class|enum class|enum|union)\s+(\w+)\s*(?:final\s*)?(?::[^;{]*)?\{')
decl_alias = re.compile(r'^\s*using\s+(\w+)\s*=')
decl_const = re.compile(r'^\s*(?:inline\s+)?(?:static\s+)?constexpr\s+[\w:<>,\s\*&]+?\s(\w+)\s*(?:=|\[|\{)')
decl_func = re.compile(r'^(?:[\w:<>,\*&]+\s+)+[\*&]?(\w+)\(')
seen = collections.defaultdict(set)
for f in files:
    stack = []
    text = open(f, errors="replace").read()
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
    for line in text.split("\n"):
        code = re.sub(r'//.*', '', line)
        code = re.sub(r'"(\\.|[^"\\])*"', '""', code)
        code = re.sub(r"'(\\.|[^'\\])*'", "''", code)
        at_ns = all(k == "ns" for k, _ in stack)
        m = re.match(r'^\s*namespace\s+([\w:]*)\s*\{', code)
        if m:
            stack.append(("ns", m.group(1)) if m.group(1) else ("anon", ""))
            continue
        if at_ns and not code.startswith((" ", "\t")) or (at_ns and decl_type.match(code)):
            ns = "::".join(n for _, n in stack)
            for rx, kind in ((decl_type, "type"), (decl_alias, "alias"), (decl_const, "const"), (decl_func, "func")):
                mm = rx.match(code)
                if mm and not code.rstrip().endswith(";") or (mm and kind in ("alias", "const")):
                    seen[(ns, mm.group(1))].add((kind, f))
                    break
                if mm and kind == "func":
                    seen[(ns, mm.group(1))].add((kind, f))
                    break
        for ch in code:
            if ch == "{":
                stack.append(("block", ""))
            elif ch == "}":
                if stack: stack.pop()
dups = 0
for (ns, name), where in sorted(seen.items()):
    kinds = {k for k, _ in where}
    fs = sorted({f for _, f in where})
    stems = {re.sub(r'(_\w+)?\.(h|cc)$', '', f.split("/")[-1]) for f in fs}
    hdrs = {f for f in fs if f.endswith(".h")}
    # A function declared in its header and defined in its .cc is one entity.
    if kinds == {"func"} and len(hdrs) <= 1:
        continue
    if len(fs) > 1 and not (len(hdrs) == 1 and kinds <= {"func"}):
        print(f"{ns}::{name}: " + ", ".join(f"{k}@{f}" for k, f in sorted(where)))
        dups += 1
if "-v" in sys.argv:
    for (ns, name), where in sorted(seen.items()):
        print(ns, name, sorted(where))
sys.exit(1 if dups else 0)
