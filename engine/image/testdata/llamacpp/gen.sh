#!/bin/sh
# Regenerates the llama.cpp reference outputs used by llamacpp_test.go: the
# inputs (*.in), cases.txt, and what llama.cpp's own preprocessing code
# (tools/mtmd/mtmd-image.cpp, built into harness.cpp) makes of them (*.out).
# Needs a C++17 compiler and the llama.cpp source at build/llama.cpp.
# Run from this directory: sh gen.sh
set -e
L=../../../../build/llama.cpp
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
c++ -std=c++17 -O1 -o "$tmp/harness" harness.cpp -I"$L/tools/mtmd" -I"$L/ggml/include" -I"$L/include"
go run gen.go "$tmp/harness"
sha256sum cases.txt *.in *.out > SHA256SUMS
