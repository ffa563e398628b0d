#!/usr/bin/env bash
# Builds Gatehouse without cargo-leptos: the server with cargo, the browser
# part with cargo for wasm32 and the pinned wasm-bindgen CLI, the stylesheet
# copied. Output: target/<profile>/gatehouse and target/site/pkg/.
# usage: scripts/build.sh [debug|release]
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-debug}
target_dir=${CARGO_TARGET_DIR:-target}
site=target/site/pkg

scripts/ensure-tools.sh

case "$profile" in
  release) server_flags=(--release); wasm_profile=wasm-release; wasm_flags=(--profile wasm-release) ;;
  debug)   server_flags=();          wasm_profile=debug;        wasm_flags=() ;;
  *) echo "usage: $0 [debug|release]" >&2; exit 2 ;;
esac

echo "==> building the server ($profile)"
cargo build -p server "${server_flags[@]}"
echo "==> building the browser bundle ($profile)"
cargo build -p frontend --lib --target wasm32-unknown-unknown "${wasm_flags[@]}"

mkdir -p "$site"
wasm-bindgen --target web --no-typescript --out-dir "$site" --out-name gatehouse \
  "$target_dir/wasm32-unknown-unknown/$wasm_profile/frontend.wasm"
if [ "$profile" = release ]; then
  # binaryen from npm (132): Debian's wasm-opt 108 silently breaks hydration.
  echo "==> optimizing the wasm with wasm-opt"
  end2end/node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types \
    "$site/gatehouse_bg.wasm" -o "$site/gatehouse_bg.wasm"
fi
cp style/main.css "$site/gatehouse.css"
[ -d public ] && cp -r public/. target/site/

# Operators find the binary at target/<profile>/gatehouse even when cargo's
# target directory lives elsewhere.
if [ "$(realpath -m "$target_dir")" != "$(realpath -m target)" ]; then
  mkdir -p "target/$profile"
  cp "$target_dir/$profile/gatehouse" "target/$profile/gatehouse"
fi
echo "==> built target/$profile/gatehouse and $site ($(du -h "$site/gatehouse_bg.wasm" | cut -f1) wasm)"
