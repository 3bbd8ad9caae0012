// Checks a built .vsix: the files the extension needs at run time are in it, and nothing that
// only builds it (sources, tests, node_modules, source maps) slipped in through .vscodeignore.
// Run by `npm run package` after vsce; prints the file list and exits 1 on a problem.
// Reads the zip's central directory itself, so it needs no unzip tool.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'dist/spanscope.vsix';

export function zipEntries(buf) {
  // End of central directory: signature 0x06054b50, within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const names = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error('corrupt central directory');
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    names.push(buf.toString('utf8', at + 46, at + 46 + nameLen));
    at += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

const required = [
  'extension/package.json',
  'extension/LICENSE.txt',
  'extension/readme.md',
  'extension/dist/extension.js',
  'extension/dist/backend.js',
  'extension/dist/cli.js',
  'extension/dist/mcp.js',
  'extension/media/spanscope.svg',
  'extension/media/dist/webview.js',
  'extension/media/dist/webview.css',
  'extension/sdk/python/spanscope/__init__.py',
  'extension/sdk/node/package.json',
  'extension/sdk/node/dist/index.cjs',
];
const forbidden = [
  [/^extension\/(src|test|webview|bench|scripts|node_modules)\//, 'sources, tests or dependencies'],
  [/\.map$/, 'a source map'],
  [/\.ts$/, 'TypeScript source'],
  [/(^|\/)__pycache__\/|\.pyc$/, 'a Python cache'],
  [/^extension\/sdk\/(python\/tests|node\/test)\//, 'SDK tests'],
  [/^extension\/sdk\/node\/(src\/|build\.mjs|vitest\.config)/, "the Node SDK's sources or build files"],
  [/\.vsix$/, 'a package inside the package'],
];

const names = zipEntries(readFileSync(file));
const problems = [];
for (const r of required) if (!names.includes(r)) problems.push(`missing: ${r}`);
for (const n of names)
  for (const [re, what] of forbidden)
    if (re.test(n) && !/\.d\.[cm]?ts$/.test(n)) problems.push(`should not ship (${what}): ${n}`);
console.log(`${file}: ${names.length} entries`);
for (const n of names) console.log(`  ${n}`);
if (problems.length) {
  console.error(`\n${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
