// Lints and format-checks the Python SDK (every .py file under sdk/python) with ruff, run as
// WebAssembly from npm (@astral-sh/ruff-wasm-nodejs) so that neither CI nor a contributor needs
// a Python tool chain beyond python3 itself.
//
//   node scripts/ruff.mjs           findings as `path:line:col CODE message`; exit 1 if any
//   node scripts/ruff.mjs --write   rewrites files the formatter would change, then lints
//
// The settings are those of `[tool.ruff]` in sdk/python/pyproject.toml, so a native `ruff check`
// run in sdk/python agrees with this script. The wasm build checks text, not files, so it can
// not match `per-file-ignores` against paths: this script applies them itself.

import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { Workspace, PositionEncoding } = require('@astral-sh/ruff-wasm-nodejs');

const repo = fileURLToPath(new URL('..', import.meta.url));
const sdkDir = join(repo, 'sdk', 'python');
const write = process.argv.includes('--write') || process.argv.includes('--fix');

const { perFileIgnores, ...settings } = ruffSettings(readFileSync(join(sdkDir, 'pyproject.toml'), 'utf8'));
const workspace = new Workspace(settings, PositionEncoding.Utf16);

let findings = 0;
for (const path of pythonFiles(sdkDir)) {
  const name = relative(sdkDir, path).split('\\').join('/');
  const shown = relative(repo, path).split('\\').join('/');
  const source = readFileSync(path, 'utf8');
  const formatted = workspace.format(source);
  if (formatted !== source) {
    if (write) {
      writeFileSync(path, formatted);
    } else {
      findings += 1;
      console.log(`${shown}:1:1 FORMAT file is not formatted (node scripts/ruff.mjs --write formats it)`);
    }
  }
  const ignored = ignoredCodes(name, perFileIgnores);
  const diagnostics = workspace.check(write ? formatted : source);
  diagnostics.sort(
    (a, b) => a.start_location.row - b.start_location.row || a.start_location.column - b.start_location.column,
  );
  for (const d of diagnostics) {
    if (d.code && ignored.some((code) => d.code.startsWith(code))) continue;
    findings += 1;
    console.log(`${shown}:${d.start_location.row}:${d.start_location.column} ${d.code ?? 'syntax'} ${d.message}`);
  }
}
if (findings > 0) {
  console.log(`ruff: ${findings} finding(s)`);
  process.exit(1);
}

function pythonFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === '__pycache__' || entry.name === 'build') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...pythonFiles(path));
    else if (entry.name.endsWith('.py')) out.push(path);
  }
  return out.sort();
}

// Codes ignored in `name` (relative to sdk/python) by `[tool.ruff.lint.per-file-ignores]`;
// patterns are paths with `*` (within a folder) and `**` (across folders), as ruff reads them.
function ignoredCodes(name, patterns) {
  const codes = [];
  for (const [pattern, list] of Object.entries(patterns)) {
    const regex = pattern
      .split('**')
      .map((part) => part.split('*').map(escapeRegex).join('[^/]*'))
      .join('.*');
    if (new RegExp(`^${regex}$`).test(name)) codes.push(...list);
  }
  return codes;
}

function escapeRegex(text) {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

// The `[tool.ruff]` tables of pyproject.toml as the options object the wasm Workspace takes
// (the same keys as ruff.toml). Only the TOML ruff settings need is read: tables, `key = value`
// with strings, numbers, booleans and (multi-line) arrays of those, and comments; anything
// else stops the script rather than being misread.
function ruffSettings(toml) {
  const root = {};
  let table = null;
  let pending = '';
  for (const raw of toml.split('\n')) {
    const line = stripComment(raw).trim();
    if (pending) {
      pending += ` ${line}`;
      if (!line.endsWith(']')) continue;
    } else if (!line) {
      continue;
    } else if (line.startsWith('[')) {
      const path = line.replace(/^\[+|\]+$/g, '').split('.');
      table = path[0] === 'tool' && path[1] === 'ruff' ? path.slice(2) : null;
      continue;
    } else {
      pending = line;
      if (table && /=\s*\[/.test(line) && !line.endsWith(']')) continue;
    }
    const statement = pending;
    pending = '';
    if (!table) continue;
    const match = /^("[^"]+"|[A-Za-z0-9_-]+)\s*=\s*(.+)$/.exec(statement);
    if (!match) throw new Error(`pyproject.toml: can not read ${JSON.stringify(statement)}`);
    const key = match[1].replace(/^"|"$/g, '');
    let target = root;
    for (const part of table) target = target[part] ??= {};
    target[key] = JSON.parse(match[2].replace(/,\s*\]$/, ']'));
  }
  const lint = root.lint ?? {};
  const { 'per-file-ignores': perFileIgnores = {}, ...lintRest } = lint;
  return { ...root, lint: lintRest, perFileIgnores };
}

function stripComment(line) {
  let inString = false;
  for (let i = 0; i < line.length; i += 1) {
    if (line[i] === '"' && line[i - 1] !== '\\') inString = !inString;
    else if (line[i] === '#' && !inString) return line.slice(0, i);
  }
  return line;
}
