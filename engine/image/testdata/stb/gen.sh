#!/bin/sh
# Regenerates the stb_image reference decodes used by stb_test.go:
# photo420.jpg (from genjpeg.go) and photo420.rgb, the RGB bytes that
# llama.cpp's image loader (stb_image, 3 channels) produces for it; and,
# for JPEGs of Go's own test images (copied from $GOROOT/src/image/testdata:
# progressive, restart intervals, every chroma subsampling, grey, RGB,
# CMYK), the SHA-256 of the RGB bytes stb_image decodes them to, in
# stb-rgb.sha256.
# Needs a C compiler and the llama.cpp source at build/llama.cpp.
# Run from this directory: sh gen.sh
set -e
STB=../../../../build/llama.cpp/vendor/stb/stb_image.h
GOIMG="$(go env GOROOT)/src/image/testdata"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go run genjpeg.go
cp "$STB" "$tmp/stb_image.h"
cc -O1 -o "$tmp/stbdump" -I"$tmp" stbdump.c -lm
"$tmp/stbdump" photo420.jpg photo420.rgb
mkdir -p goimages
: > stb-rgb.sha256
for name in video-001.progressive video-001.restart2 video-001.221212 video-001.rgb video-001.cmyk \
	video-001.q50.410 video-001.q50.411.progressive video-001.q50.422 video-001.q50.440.progressive \
	video-001.q50.444 video-001.separate.dc.progression.progressive video-005.gray.q50.2x2.progressive; do
	cp "$GOIMG/$name.jpeg" goimages/
	"$tmp/stbdump" "goimages/$name.jpeg" "$tmp/out.rgb" > /dev/null
	echo "$(sha256sum < "$tmp/out.rgb" | cut -d' ' -f1)  $name.jpeg" >> stb-rgb.sha256
done
sha256sum photo420.jpg photo420.rgb stb-rgb.sha256 goimages/*.jpeg > SHA256SUMS
