// Prepares a split browser bundle (scripts/build.sh) for Leptos's preloads.
// usage: node scripts/split-manifest.mjs BUNDLE_DIR
//
// wasm-split-cli writes the loader (__wasm_split.js) but not the manifest the
// server reads to preload a lazy page's modules with the page. This reads the
// loader, where each module's load names the split functions that use it:
//   /* __users_route_view_1, __user_route_view_1 */
//   const __chunk_10 = makeLoad(() => { ... new URL("./chunk_10.wasm", ...
//   export const __wasm_split_load___users_route_view_1 = ... new URL("./split___users_route_view_1.wasm", ...
// and writes __wasm_split_manifest.json: { "__users_route_view_1": ["chunk_10", "split___users_route_view_1"] }.
// Leptos looks for the loader under a fixed name in the bundle's folder when
// file names carry no hashes (the folder's name is the bundle's hash), so the
// loader is renamed to it and gatehouse.js's import statements follow (the
// keys of its wasm imports object stay: they are the module names inside the wasm).
import { readFileSync, writeFileSync, renameSync } from "node:fs";

const [dir] = process.argv.slice(2);
const loaderName = "__wasm_split.______________________.js";
const loader = readFileSync(`${dir}/__wasm_split.js`, "utf8");

const manifest = {};
const add = (split, file) => (manifest[split] ??= []).push(file);
let chunks = 0;
for (const m of loader.matchAll(/\/\* ([\w, ]+) \*\/\nconst __chunk_\d+ = makeLoad\(\(\) => \{\n\s*const src = fetch\(new URL\("\.\/([\w.-]+)\.wasm"/g)) {
  for (const split of m[1].split(", ")) add(split, m[2]);
  chunks++;
}
let splits = 0;
for (const m of loader.matchAll(/export const __wasm_split_load_(\w+) = wrapAsyncCb\(makeLoad\(\(\) => \{\n\s*const src = fetch\(new URL\("\.\/([\w.-]+)\.wasm"/g)) {
  add(m[1], m[2]);
  splits++;
}
// A page whose code all went into shared chunks has no module of its own.
splits += (loader.match(/^export const __wasm_split_load_\w+ = wrapAsyncCb\(makeLoad\(\(\) => async \(_imp\) => \(\{\}\)/gm) ?? []).length;
const declared = (loader.match(/^export const __wasm_split_load_/gm) ?? []).length;
const chunkFiles = (loader.match(/^const __chunk_\d+ = /gm) ?? []).length;
if (splits === 0 || splits !== declared || chunks !== chunkFiles) {
  console.error(`split-manifest: read ${splits} of ${declared} split modules and ${chunks} of ${chunkFiles} chunks from ${dir}/__wasm_split.js; its format may have changed (wasm-split-cli's version in scripts/ensure-tools.sh)`);
  process.exit(1);
}
writeFileSync(`${dir}/__wasm_split_manifest.json`, JSON.stringify(manifest, null, 1));

const main = `${dir}/gatehouse.js`;
const js = readFileSync(main, "utf8");
if (!js.includes('from "./__wasm_split.js"')) {
  console.error(`split-manifest: ${main} does not import ./__wasm_split.js`);
  process.exit(1);
}
writeFileSync(main, js.replaceAll('from "./__wasm_split.js"', `from "./${loaderName}"`));
renameSync(`${dir}/__wasm_split.js`, `${dir}/${loaderName}`);
console.log(`    ${splits} split functions (pages loaded when first visited), ${chunks} shared chunks`);
