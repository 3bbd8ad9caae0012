// Bundles everything that ships: the extension host (CommonJS, `vscode` left external), the
// standalone CLI (CommonJS), and the webview (one browser bundle, used by the VS Code panel
// and by the page the collector serves). lowdb is ESM-only; esbuild turns it into CommonJS
// inside the bundles, so nothing at run time has to load ESM from CommonJS.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';
import { emitSdkNodeTypes, sdkNodeTargets } from '../sdk/node/build.mjs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

const targets = [
  {
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    external: ['vscode'],
  },
  // The collector and store for the extension, loaded after activation (see src/extension/backend.ts).
  {
    entryPoints: ['src/extension/backend.ts'],
    outfile: 'dist/backend.js',
    platform: 'node',
    format: 'cjs',
    target: 'node18',
  },
  {
    entryPoints: ['src/cli.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    banner: { js: '#!/usr/bin/env node' },
  },
  // `spanscope mcp` with the MCP SDK, loaded by dist/cli.js only for that command (src/agent/mcpCommand.ts).
  {
    entryPoints: ['src/agent/mcpCommand.ts'],
    outfile: 'dist/mcp.js',
    platform: 'node',
    format: 'cjs',
    target: 'node18',
  },
  {
    entryPoints: ['webview/main.ts'],
    outfile: 'media/dist/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
  // The panel's CSS with the codicon font: one stylesheet, the font copied beside it unhashed
  // so the collector's asset allow-list can name it.
  {
    entryPoints: ['media/webview.css'],
    outfile: 'media/dist/webview.css',
    loader: { '.ttf': 'file' },
    assetNames: '[name]',
  },
].filter((t) => existsSync(t.entryPoints[0]));

if (watch) {
  for (const t of sdkNodeTargets) await (await esbuild.context(t)).watch();
} else {
  await Promise.all(sdkNodeTargets.map((t) => esbuild.build(t)));
  emitSdkNodeTypes();
}

if (watch) {
  for (const t of targets) await (await esbuild.context({ ...common, ...t })).watch();
} else {
  await Promise.all(targets.map((t) => esbuild.build({ ...common, ...t })));
}
