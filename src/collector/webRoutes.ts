// The standalone trace viewer: the same bundle as the VS Code panel, served by the collector.
// `GET /` needs the token like the read API; `/?token=…` sets the HttpOnly cookie (the server
// does that for every token route) and redirects to the same address without the token, so it
// does not linger in the address bar, history or a screen share. Without a valid token the
// page explains where the address with the token comes from. Assets are a fixed list of
// files from media/dist: no path from the request ever reaches the file system.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createNonce, contentSecurityPolicy, webviewHtml } from '../shared/webviewHtml';
import type { CollectorDeps, Route, RouteReply } from './router';

/** The files the page may load, with their content types. */
const ASSETS: Record<string, string> = {
  'webview.js': 'text/javascript; charset=utf-8',
  'webview.css': 'text/css; charset=utf-8',
  'codicon.ttf': 'font/ttf',
  'webview.js.map': 'application/json; charset=utf-8',
  'webview.css.map': 'application/json; charset=utf-8',
};

export interface WebRoutesOptions {
  /** Folder holding the built bundle (media/dist); found next to the code by default. */
  assetsDir?: string;
}

export function webRoutes(_deps: Pick<CollectorDeps, 'version'>, options: WebRoutesOptions = {}): Route[] {
  const assetsDir = options.assetsDir ?? findAssetsDir();
  const cache = new Map<string, { mtimeMs: number; data: Buffer }>();

  return [
    {
      method: 'GET',
      path: '/',
      auth: 'token',
      unauthorized: (message) =>
        htmlPage(401, 'Spanscope needs its token', [
          message.includes('wrong')
            ? 'The token in this address is not the collector’s current one (a restart makes a new one unless --token or SPANSCOPE_TOKEN sets it).'
            : 'This page shows your traces, so it needs the collector’s token.',
          'Open the address that `spanscope serve` printed when it started, the line “Open the trace viewer: http://127.0.0.1:…/?token=…”.',
          'In VS Code, run “Spanscope: Open Traces” instead.',
        ]),
      handler: ({ url, req }) => {
        if (url.searchParams.has('token')) {
          // The cookie is set on this reply; the address the user keeps has no token in it.
          url.searchParams.delete('token');
          const query = url.searchParams.toString();
          return { status: 303, headers: { location: `/${query ? `?${query}` : ''}` }, body: '' };
        }
        if (!existsSync(join(assetsDir, 'webview.js'))) {
          return htmlPage(503, 'The trace viewer is not built', [
            `No bundle in ${assetsDir}.`,
            'Run `npm run build` and reload this page.',
          ]);
        }
        const nonce = createNonce();
        const host = req.headers.host ?? '127.0.0.1';
        const trace = url.searchParams.get('trace');
        const html = webviewHtml({
          host: 'browser',
          scriptUri: '/assets/webview.js',
          styleUri: '/assets/webview.css',
          cspSource: "'self'",
          nonce,
          // The Host header passed the loopback check before routing, so it is safe to echo.
          connectSources: [`ws://${host}`],
          // The same URL the page's transport asks for, so the browser reuses this response.
          preloadFetches: trace ? [`/api/traces/${encodeURIComponent(trace)}`] : [],
          title: 'Spanscope traces',
        });
        return {
          status: 200,
          body: html,
          headers: pageHeaders(contentSecurityPolicy({ cspSource: "'self'", nonce, connectSources: [`ws://${host}`] })),
        };
      },
    },
    {
      method: 'GET',
      path: '/assets/:name',
      auth: 'none',
      handler: ({ params }) => {
        const type = Object.hasOwn(ASSETS, params.name) ? ASSETS[params.name] : undefined;
        const file = type && join(assetsDir, params.name);
        if (!type || !file || !existsSync(file)) return { status: 404, json: { error: `no asset ${params.name}` } };
        const mtimeMs = statSync(file).mtimeMs;
        let hit = cache.get(file);
        if (!hit || hit.mtimeMs !== mtimeMs) cache.set(file, (hit = { mtimeMs, data: readFileSync(file) }));
        return { status: 200, body: hit.data, headers: { 'content-type': type, 'cache-control': 'no-cache' } };
      },
    },
  ];
}

function pageHeaders(csp: string): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': csp,
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
  };
}

/** A small static page (no script) for the cases where the viewer can not start. */
function htmlPage(status: number, title: string, lines: string[]): RouteReply {
  const nonce = createNonce();
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const body = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style nonce="${nonce}">
body{font-family:-apple-system,"Segoe UI",Ubuntu,sans-serif;font-size:13px;max-width:40em;margin:4em auto;padding:0 1em;color:#3b3b3b;background:#fff}
@media (prefers-color-scheme:dark){body{color:#ccc;background:#1f1f1f}}
h1{font-size:1.3em;font-weight:600}code{font-family:Menlo,Consolas,monospace}
</style></head><body><h1>${esc(title)}</h1>
${lines.map((l) => `<p>${esc(l).replace(/`([^`]+)`/g, '<code>$1</code>')}</p>`).join('\n')}
</body></html>
`;
  return {
    status,
    body,
    headers: pageHeaders(`default-src 'none'; style-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'`),
  };
}

/** media/dist beside the running code: dist/cli.js and dist/extension.js, or src/collector in tests. */
function findAssetsDir(): string {
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  const candidates = [
    resolve(here, '../media/dist'),
    resolve(here, '../../media/dist'),
    resolve(process.cwd(), 'media/dist'),
  ];
  return candidates.find((dir) => existsSync(join(dir, 'webview.js'))) ?? candidates[0];
}
