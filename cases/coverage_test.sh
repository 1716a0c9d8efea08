#!/usr/bin/env bash
# Fails when cases/COVERAGE.md is not what the case library generates.
exec "$1" --check
