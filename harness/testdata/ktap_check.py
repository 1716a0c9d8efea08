#!/usr/bin/env python3
"""A strict checker of KTAP version 1 (Documentation/dev-tools/ktap.rst, the
format of kselftest and KUnit): reads a document on stdin, exits 0 when it is
valid KTAP, else 1 naming the first offending line.

Checked: the first line is "KTAP version 1"; a plan "1..N" follows; every
result line is "ok|not ok NUMBER [DESCRIPTION][ # DIRECTIVE ...]" with
NUMBER counting 1, 2, ... and DIRECTIVE one of SKIP, TODO, XFAIL, TIMEOUT,
ERROR; the description holds no '#'; other lines are diagnostics ("# ...")
or indented subtests (each a KTAP document of its own, checked likewise);
the number of results equals the plan.
"""
import re
import sys

RESULT = re.compile(r'^(ok|not ok) ([0-9]+)(?: ([^#]*?))?(?: # (.*))?$')
DIRECTIVES = ('SKIP', 'TODO', 'XFAIL', 'TIMEOUT', 'ERROR')


def check(lines, where):
    if not lines or lines[0] != 'KTAP version 1':
        return f'{where}line 1: expected "KTAP version 1", got {lines[:1]}'
    if len(lines) < 2 or not re.fullmatch(r'1\.\.[0-9]+', lines[1]):
        return f'{where}line 2: expected a plan "1..N", got {lines[1:2]}'
    planned = int(lines[1][3:])
    expected = 1
    i = 2
    while i < len(lines):
        line = lines[i]
        if line.startswith('    '):  # a subtest: a nested document
            j = i
            while j < len(lines) and lines[j].startswith('    '):
                j += 1
            error = check([l[4:] for l in lines[i:j]], f'{where}subtest at line {i + 1}: ')
            if error:
                return error
            i = j
            continue
        if line.startswith('#') or line == '':
            i += 1
            continue
        m = RESULT.match(line)
        if not m:
            return f'{where}line {i + 1}: not a result, diagnostic or subtest: {line!r}'
        if int(m.group(2)) != expected:
            return f'{where}line {i + 1}: test number {m.group(2)}, expected {expected}'
        if m.group(4) is not None and m.group(4).split(' ')[0] not in DIRECTIVES:
            return f'{where}line {i + 1}: unknown directive {m.group(4)!r}'
        expected += 1
        i += 1
    if expected - 1 != planned:
        return f'{where}{expected - 1} results, the plan says {planned}'
    return None


def main():
    text = sys.stdin.read()
    if not text.endswith('\n'):
        print('ktap_check: the document does not end with a newline')
        return 1
    error = check(text[:-1].split('\n'), '')
    if error:
        print(f'ktap_check: {error}')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
