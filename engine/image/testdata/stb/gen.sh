#!/bin/sh
# Regenerates the stb_image reference decodes used by stb_test.go:
# photo420.jpg (from genjpeg.go) and photo420.rgb, the RGB bytes that
# llama.cpp's image loader (stb_image, 3 channels) produces for it.
# Needs a C compiler and the llama.cpp source at build/llama.cpp.
# Run from this directory: sh gen.sh
set -e
STB=../../../../build/llama.cpp/vendor/stb/stb_image.h
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go run genjpeg.go
cp "$STB" "$tmp/stb_image.h"
cc -O1 -o "$tmp/stbdump" -I"$tmp" stbdump.c -lm
"$tmp/stbdump" photo420.jpg photo420.rgb
sha256sum photo420.jpg photo420.rgb > SHA256SUMS
