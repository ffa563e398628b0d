#!/usr/bin/env bash
# Builds Gatehouse without cargo-leptos: the server with cargo and, at the same
# time, the browser bundle (cargo for wasm32, then the pinned wasm-bindgen CLI),
# in its own target directory so that the two builds do not wait on each other.
# The bundle is in a folder named by its content (pkg/<hash>/: gatehouse.js,
# the main wasm module, the pages' modules, the stylesheet; pkg/bundle.txt
# names the folder) and compressed ahead (.br, .gz).
# usage: scripts/build.sh [debug|tests|demo|release]
#   debug    target/debug/gatehouse, site in target/site-debug (the browser tests)
#   tests    the same, with the Rust tests compiled in the same cargo run
#            (make test): see below
#   demo     target/demo/gatehouse, site in target/site: quick to build, hot paths optimized
#   release  target/release/gatehouse, site in target/site: the production build
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-debug}
target_dir=${CARGO_TARGET_DIR:-target}
# The browser bundle's own target directory (cargo locks a target directory per build).
wasm_target_dir=$target_dir/browser

# `cargo test -p app -p server` switches on the test-only dependencies'
# features (and app's default feature set), so the crates from leptos up to
# app and the server would compile a second time, differently, for the tests.
# For make test (`tests`) the server is therefore built by that same cargo run
# (`--no-run`: the tests and the binary they start, target/debug/gatehouse),
# and running the tests afterwards compiles nothing.
# out_dir: cargo's folder for the server's profile.
case "$profile" in
  release) out_dir=release; wasm_profile=wasm-release; site_root=target/site;       brotli=11
           server_build=(cargo build -p server --profile release) ;;
  demo)    out_dir=demo;    wasm_profile=wasm-demo;    site_root=target/site;       brotli=9
           server_build=(cargo build -p server --profile demo) ;;
  debug)   out_dir=debug;   wasm_profile=dev;          site_root=target/site-debug; brotli=4
           server_build=(cargo build -p server) ;;
  tests)   out_dir=debug;   wasm_profile=dev;          site_root=target/site-debug; brotli=4
           server_build=(cargo test -p app -p server --no-run) ;;
  *) echo "usage: $0 [debug|tests|demo|release]" >&2; exit 2 ;;
esac
started=$(date +%s)

# The server's build needs nothing that ensure-tools installs: it starts first.
echo "==> building the server ($profile) and, beside it, the browser bundle"
server_log=$(mktemp)
( "${server_build[@]}" 2>&1 | sed -u 's/^/[server] /' ) > >(tee "$server_log") &
server_pid=$!
trap 'kill $server_pid 2>/dev/null || true; rm -f "$server_log"' EXIT

scripts/ensure-tools.sh 2>&1 | sed -u 's/^/[tools] /'
CARGO_TARGET_DIR=$wasm_target_dir cargo build -p frontend --lib --target wasm32-unknown-unknown --profile "$wasm_profile" 2>&1 | sed -u 's/^/[browser] /'
wasm_dir=$wasm_target_dir/wasm32-unknown-unknown/$([ "$wasm_profile" = dev ] && echo debug || echo "$wasm_profile")

pkg=$site_root/pkg
staging=$(mktemp -d)
# Most pages are lazy routes (app/src/pages/mod.rs): wasm-split moves their
# code into modules of their own (split_*.wasm, with chunk_*.wasm for code
# some of them share) and writes the loader the main module imports
# (__wasm_split*.js); wasm-bindgen then processes the main module, keeping the
# exports those modules link to.
wasm-split-cli "$wasm_dir/frontend.wasm" "$staging/split" --out-name gatehouse --target web
mkdir "$staging/bundle"
wasm-bindgen --target web --no-typescript --keep-lld-exports --no-demangle \
  --out-dir "$staging/bundle" --out-name gatehouse "$staging/split/gatehouse.wasm"
rm "$staging/split/gatehouse.wasm"
mv "$staging/split"/* "$staging/bundle/"
# The manifest the server reads to preload a lazy page's modules with the page.
node scripts/split-manifest.mjs "$staging/bundle"
# The JavaScript (wasm-bindgen's glue, the loader), minified once the manifest
# is read from the loader: names inside functions shortened, the modules'
# imports, exports and property names kept (gatehouse.js 7,367 bytes of brotli
# instead of 9,311). Every build, so that the tests run what is shipped.
for js in "$staging/bundle"/*.js; do
  end2end/node_modules/.bin/uglifyjs "$js" --module --compress --mangle -o "$js"
done
if [ "$profile" = release ]; then
  # binaryen from npm (132): Debian's wasm-opt 108 silently breaks hydration.
  echo "==> optimizing the wasm modules with wasm-opt"
  # Each module on its own, as many at once as there are cores. (It warns once
  # per module about a name subsection wasm-split writes that it does not know;
  # the names are dropped either way.) -Os, not -Oz: -Oz's files are smaller,
  # but compressed, as they travel, -Os's are (the main module 315,934 bytes of
  # brotli against 318,579, docs/measurements.md).
  printf '%s\0' "$staging/bundle"/*.wasm | xargs -0 -P "$(nproc)" -I{} \
    end2end/node_modules/.bin/wasm-opt -Os --enable-bulk-memory --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-mutable-globals --enable-reference-types {} -o {} \
    2> >(grep -v '^warning: unknown name subsection' >&2)
fi
cp style/main.css "$staging/bundle/gatehouse.css"
# The bundle's files refer to each other by name, relative to their folder:
# the folder is named by their content, so every file in it can be cached for
# good. pkg/bundle.txt names it for the server.
bundle=$(cd "$staging/bundle" && sha256sum * | sha256sum | cut -c1-16)
rm -rf "$pkg"
mkdir -p "$pkg"
mv "$staging/bundle" "$pkg/$bundle"
echo "$bundle" > "$pkg/bundle.txt"
# The stylesheet under a fixed name too, for the pages Gatehouse writes without
# the app (SSO steps).
cp style/main.css "$pkg/gatehouse.css"
rm -rf "$staging"
[ -d public ] && cp -r public/. "$site_root/"
echo "==> compressing the bundle (brotli quality $brotli, gzip 9)"
node scripts/compress.mjs "$brotli" "$pkg/$bundle"/* "$pkg/gatehouse.css"

echo "==> waiting for the server's build"
if ! wait $server_pid; then
  echo "the server's build failed (its output is above, lines starting with [server])" >&2
  exit 1
fi
# `cargo build | sed` in the background: a failed cargo shows in its output, not sed's status.
if grep -q '^\[server\] error' "$server_log"; then
  echo "the server's build failed (its output is above, lines starting with [server])" >&2
  exit 1
fi

# Operators find the binary at target/<profile>/gatehouse even when cargo's
# target directory lives elsewhere.
if [ "$(realpath -m "$target_dir")" != "$(realpath -m target)" ]; then
  mkdir -p "target/$out_dir"
  cp "$target_dir/$out_dir/gatehouse" "target/$out_dir/gatehouse"
fi
echo "==> built target/$out_dir/gatehouse and $pkg/$bundle ($(du -h "$pkg/$bundle/gatehouse_bg.wasm" | cut -f1) main wasm, $(cat "$pkg/$bundle"/*.wasm | wc -c | numfmt --to=iec) in all) in $(( $(date +%s) - started )) s"
