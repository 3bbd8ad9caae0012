// The AI proxy's rules that read headers: when a call is cached (Braintrust's rule and the
// headers that narrow it), what the cache key covers, and where a call's span goes.

import { describe, expect, it } from 'vitest';
import { cacheKey, cachePlan, canonicalJson } from '../../src/collector/proxy/cachePolicy';
import { parentFromHeaders } from '../../src/collector/proxy/proxyParent';
import { forwardedHeaders, replyHeaders, upstreamUrl } from '../../src/collector/proxy/upstream';

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };

describe('the cache rule', () => {
  it('in auto mode caches a call with a seed or temperature 0, and no other', () => {
    expect(cachePlan({}, { ...chat, seed: 1 })).toMatchObject({ mode: 'auto', read: true, write: true });
    expect(cachePlan({}, { ...chat, temperature: 0 })).toMatchObject({ read: true, write: true });
    expect(cachePlan({}, { ...chat, temperature: 0.7 })).toMatchObject({ read: false, write: false });
    expect(cachePlan({}, chat)).toMatchObject({ read: false, write: false });
    expect(cachePlan({}, undefined)).toMatchObject({ read: false, write: false });
  });

  it('takes x-spanscope-cache, else x-bt-use-cache, and refuses modes it does not know', () => {
    expect(cachePlan({ 'x-spanscope-cache': 'always' }, chat)).toMatchObject({
      mode: 'always',
      read: true,
      write: true,
    });
    expect(cachePlan({ 'x-spanscope-cache': 'never' }, { ...chat, seed: 1 })).toMatchObject({
      read: false,
      write: false,
    });
    expect(cachePlan({ 'x-spanscope-cache': 'REPLAY' }, chat)).toMatchObject({
      mode: 'replay',
      read: true,
      write: false,
    });
    expect(cachePlan({ 'x-bt-use-cache': 'always' }, chat)).toMatchObject({ mode: 'always' });
    expect(cachePlan({ 'x-spanscope-cache': 'never', 'x-bt-use-cache': 'always' }, chat)).toMatchObject({
      mode: 'never',
    });
    expect(() => cachePlan({ 'x-spanscope-cache': 'maybe' }, chat)).toThrow(
      /x-spanscope-cache must be one of auto, always, never, replay/,
    );
    expect(() => cachePlan({ 'x-bt-use-cache': 'replay' }, chat)).toThrow(
      /x-bt-use-cache must be one of auto, always, never/,
    );
  });

  it('narrows with Cache-Control', () => {
    expect(cachePlan({ 'cache-control': 'no-store' }, { ...chat, seed: 1 })).toMatchObject({
      read: false,
      write: false,
    });
    expect(cachePlan({ 'cache-control': 'no-cache' }, { ...chat, seed: 1 })).toMatchObject({
      read: false,
      write: true,
    });
    expect(cachePlan({ 'cache-control': 'max-age=60' }, { ...chat, seed: 1 })).toMatchObject({
      read: true,
      maxAgeMs: 60_000,
    });
    expect(cachePlan({ 'cache-control': 'max-age=60', 'x-spanscope-cache': 'replay' }, chat)).toMatchObject({
      read: true,
      write: false,
      maxAgeMs: 60_000,
    });
  });

  it('keys on the upstream, method, path and the body in any key order, never on headers', () => {
    const a = cacheKey('https://api.openai.com/v1', 'POST', '/chat/completions', {
      seed: 1,
      model: 'm',
      messages: [{ content: 'x', role: 'user' }],
    });
    const b = cacheKey('https://api.openai.com/v1', 'POST', '/chat/completions', {
      messages: [{ role: 'user', content: 'x' }],
      model: 'm',
      seed: 1,
    });
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(
      cacheKey('https://api.openai.com/v1', 'POST', '/chat/completions', { seed: 2, model: 'm', messages: [] }),
    ).not.toBe(a);
    expect(
      cacheKey('https://api.groq.com/openai/v1', 'POST', '/chat/completions', {
        seed: 1,
        model: 'm',
        messages: [{ content: 'x', role: 'user' }],
      }),
    ).not.toBe(a);
    expect(
      cacheKey('https://api.openai.com/v1', 'POST', '/completions', {
        seed: 1,
        model: 'm',
        messages: [{ content: 'x', role: 'user' }],
      }),
    ).not.toBe(a);
    expect(canonicalJson({ b: [1, { d: null, c: 'x' }], a: undefined })).toBe('{"b":[1,{"c":"x","d":null}]}');
  });
});

describe('the parent of a proxied call', () => {
  it("reads a span id, an exported span, a project, and Braintrust's plain forms", () => {
    expect(parentFromHeaders({})).toEqual({ projectName: undefined });
    expect(parentFromHeaders({ 'x-spanscope-parent': 'span-1', 'x-spanscope-project': 'P' })).toEqual({
      spanId: 'span-1',
      projectName: 'P',
    });
    const exported = `ss1.${Buffer.from(JSON.stringify({ t: 'tr', s: 'sp', p: 'Proj' })).toString('base64url')}`;
    expect(parentFromHeaders({ 'x-spanscope-parent': exported })).toEqual({
      traceId: 'tr',
      spanId: 'sp',
      projectName: 'Proj',
    });
    expect(parentFromHeaders({ 'x-bt-parent': 'project_name:My Project' })).toEqual({ projectName: 'My Project' });
    expect(parentFromHeaders({ 'x-bt-parent': 'project_id:abc-123' })).toEqual({ projectName: 'abc-123' });
  });

  it('refuses what it can not use with a 400 that says what it takes', () => {
    expect(() => parentFromHeaders({ 'x-bt-parent': 'experiment_id:1' })).toThrow(
      /x-bt-parent must be project_name:NAME, project_id:ID or an exported span/,
    );
    expect(() => parentFromHeaders({ 'x-spanscope-parent': 'x'.repeat(500) })).toThrow(
      /x-spanscope-parent must be a span id/,
    );
  });
});

describe('the upstream request', () => {
  it('joins the base URL and the path with its query', () => {
    expect(upstreamUrl('https://api.openai.com/v1', '/chat/completions').href).toBe(
      'https://api.openai.com/v1/chat/completions',
    );
    expect(upstreamUrl('https://host/openai/v1/', '/models?limit=2').href).toBe(
      'https://host/openai/v1/models?limit=2',
    );
    expect(() => upstreamUrl('file:///x', '/models')).toThrow(/http or https/);
  });

  it("forwards the credentials the provider needs, and not this hop's headers, cookies or ours", () => {
    const out = forwardedHeaders(
      {
        host: '127.0.0.1:7726',
        authorization: 'Bearer sk-1',
        'api-key': 'azure-key',
        'openai-organization': 'org',
        'content-type': 'application/json',
        cookie: 'spanscope_token_7726=secret',
        connection: 'keep-alive',
        'x-spanscope-parent': 'p',
        'x-bt-parent': 'project_name:x',
        'accept-encoding': 'gzip',
        'content-length': '99',
      },
      12,
    );
    expect(out).toEqual({
      authorization: 'Bearer sk-1',
      'api-key': 'azure-key',
      'openai-organization': 'org',
      'content-type': 'application/json',
      'accept-encoding': 'identity',
      'content-length': '12',
    });
  });

  it("passes the reply's headers back but this hop's and the provider's cookies", () => {
    expect(
      replyHeaders({
        'content-type': 'text/event-stream',
        'x-request-id': 'r',
        'transfer-encoding': 'chunked',
        connection: 'keep-alive',
        'set-cookie': ['__cf_bm=x; domain=.api.openai.com'],
        'openai-processing-ms': '12',
      }),
    ).toEqual({
      'content-type': 'text/event-stream',
      'x-request-id': 'r',
      'openai-processing-ms': '12',
    });
  });
});
