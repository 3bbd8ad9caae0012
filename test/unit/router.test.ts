import { describe, expect, it } from 'vitest';
import { type Route, Router } from '../../src/collector/router';

const route = (method: Route['method'], path: string): Route => ({
  method,
  path,
  auth: 'none',
  handler: () => ({ status: 200 }),
});

describe('router', () => {
  const router = new Router([
    route('GET', '/api/traces'),
    route('GET', '/api/traces/:id'),
    route('DELETE', '/api/traces/:id'),
    route('GET', '/assets/*'),
  ]);

  it('matches exact segments and decodes parameters', () => {
    expect(router.match('GET', '/api/traces/a%2Fb')).toMatchObject({
      route: { path: '/api/traces/:id' },
      params: { id: 'a/b' },
    });
    expect(router.match('GET', '/api/traces/')).toMatchObject({ route: { path: '/api/traces' } });
  });

  it('answers 405 with the methods a path has, 404 for no path', () => {
    expect(router.match('POST', '/api/traces/x')).toEqual({ status: 405, allow: ['GET', 'DELETE'] });
    expect(router.match('GET', '/api/traces/x/y')).toEqual({ status: 404 });
  });

  it('lets a trailing * take the rest of the path', () => {
    expect(router.match('GET', '/assets/dist/web%20view.js')).toMatchObject({ params: { '*': 'dist/web view.js' } });
    expect(router.match('GET', '/assets')).toEqual({ status: 404 });
  });

  it('serves HEAD from the GET route', () => {
    expect(router.match('HEAD', '/api/traces')).toMatchObject({ route: { method: 'GET' } });
  });
});
