import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../support/build';
import { startTestCollector, type TestCollector } from '../support/collector';

let c: TestCollector;
beforeAll(async () => {
  ensureBuilt();
  c = await startTestCollector();
});
afterAll(() => c.close());

describe('the standalone page', () => {
  it('without a token answers 401 with a page that says where the address comes from', async () => {
    const res = await c.raw('/');
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('spanscope serve');
    expect(res.text).not.toContain('<script');
    expect(res.headers['content-security-policy']).toMatch(/default-src 'none'/);
  });

  it('says so when the token is wrong', async () => {
    const res = await c.raw('/?token=not-it');
    expect(res.status).toBe(401);
    expect(res.text).toContain('not the collector’s current one');
  });

  it('with ?token= sets the cookie and redirects to the same address without the token', async () => {
    const res = await c.raw(`/?token=${c.token}&trace=abc`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/?trace=abc');
    expect(String(res.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    const cookie = String(res.headers['set-cookie']).split(';')[0];
    const page = await c.raw('/?trace=abc', { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<script nonce=');
  });

  it('serves the page with a nonce CSP that allows only its own assets and WebSocket', async () => {
    const res = await c.get('/');
    const csp = String(res.headers['content-security-policy']);
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src 'nonce-${nonce}'`);
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${c.port}`);
    expect(csp).not.toContain('unsafe-inline');
    expect(res.text).toContain(`<script nonce="${nonce}" src="/assets/webview.js" defer>`);
    const again = await c.get('/');
    expect(String(again.headers['content-security-policy'])).not.toContain(nonce);
  });

  it('serves the bundle files with their content types, and nothing else', async () => {
    const js = await c.raw('/assets/webview.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await c.raw('/assets/webview.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await c.raw('/assets/codicon.ttf')).headers['content-type']).toBe('font/ttf');
    for (const path of [
      '/assets/package.json',
      '/assets/..%2Fpackage.json',
      '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
      '/assets/../../package.json',
      '/assets/__proto__',
      '/assets/constructor',
    ]) {
      const res = await c.raw(path);
      expect(res.status, path).toBe(404);
      expect(res.text, path).not.toContain('"devDependencies"');
    }
  });

  it('refuses the page to a foreign Host (DNS rebinding), like every route', async () => {
    const res = await c.raw(`/?token=${c.token}`, { headers: { host: 'evil.example:80' } });
    expect(res.status).toBe(403);
  });
});
