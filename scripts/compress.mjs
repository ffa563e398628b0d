// Writes a brotli (.br) and a gzip (.gz) copy beside each file given, for the
// server to send to browsers that accept them (tower-http's precompressed
// file serving). usage: node scripts/compress.mjs QUALITY FILE...
//   QUALITY  brotli quality 0-11 (11: smallest, slowest; gzip is always level 9)
import { readFileSync, writeFileSync } from "node:fs";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";

const [quality, ...files] = process.argv.slice(2);
// The pages' split modules are summed on one line; other files get one each.
const pages = { files: 0, bytes: 0, br: 0, gz: 0 };
for (const file of files) {
  const data = readFileSync(file);
  const br = brotliCompressSync(data, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: Number(quality),
      [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
  writeFileSync(`${file}.br`, br);
  const gz = gzipSync(data, { level: 9 });
  writeFileSync(`${file}.gz`, gz);
  const name = file.split("/").pop();
  if (/^(split_|chunk_)/.test(name)) {
    pages.files++; pages.bytes += data.length; pages.br += br.length; pages.gz += gz.length;
  } else {
    console.log(`    ${name}: ${data.length} bytes, brotli ${br.length}, gzip ${gz.length}`);
  }
}
if (pages.files) {
  console.log(`    the pages' ${pages.files} modules: ${pages.bytes} bytes, brotli ${pages.br}, gzip ${pages.gz}`);
}
