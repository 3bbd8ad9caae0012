// The endpoints the Braintrust SDKs (JS 3.x, Python 0.7) call while logging, so that
// `BRAINTRUST_APP_URL=http://127.0.0.1:7726` sends an existing Braintrust-instrumented app
// to Spanscope unchanged: log in, register the project, ask for the payload limit, send rows.
//
// Any API key is accepted and none is kept or logged: the collector is for local processes
// only (it binds loopback and refuses foreign Host and Origin headers before any route), so
// the key would protect nothing, and a user should not have to invent a real one.
//
// `POST /logs3` also accepts a body with no Content-Type, which is how the Python SDK sends
// it (`requests` with raw bytes). That does not open a way in for web pages: a browser can
// send a body without a Content-Type across sites (a fetch of a Blob), but it then sends an
// Origin header, and the Gatekeeper (security.ts) refuses every foreign Origin, and every
// non-loopback Host (DNS rebinding), before routing. Any other media type still gets 415.

import { normaliseLogs3 } from '../core/normalise/braintrust';
import { RowBook } from '../core/normalise/braintrust/rowBook';
import { projectIdOf, projectNameOf } from '../core/normalise/braintrust/projectIds';
import { isObject } from '../core/normalise/validate';
import { HttpError } from './httpError';
import type { CollectorDeps, RequestContext, Route } from './router';

/** The one organisation a Spanscope login belongs to. */
const ORG = { id: 'spanscope-local', name: 'Spanscope' };
/** Where the AI proxy is served (the proxy's own routes). */
export const PROXY_PATH = '/v1/proxy';
/** JSON, or no Content-Type at all (the Python SDK's `/logs3`). */
const JSON_OR_NONE = ['application/json', ''];

export function braintrustRoutes(deps: CollectorDeps): Route[] {
  const book = new RowBook();
  return [
    {
      // No body; `Authorization: Bearer <key>` is not checked (see the top of this file).
      method: 'POST',
      path: '/api/apikey/login',
      auth: 'none',
      handler: (ctx) => {
        const base = baseUrl(ctx);
        return {
          status: 200,
          json: {
            org_info: [{ ...ORG, api_url: base, proxy_url: `${base}${PROXY_PATH}`, git_metadata: { collect: 'none' } }],
          },
        };
      },
    },
    {
      method: 'POST',
      path: '/api/project/register',
      auth: 'none',
      accepts: ['application/json'],
      handler: async (ctx) => {
        const body = await ctx.readJson();
        const name = isObject(body) ? body.project_name : undefined;
        if (typeof name !== 'string' || name.trim() === '')
          throw new HttpError(400, 'project_name is required (a non-empty string)');
        return { status: 200, json: { project: project(name) } };
      },
    },
    {
      // A logger given only `projectId`: the id is the name encoded (projectIds.ts).
      method: 'GET',
      path: '/api/project',
      auth: 'none',
      handler: (ctx) => {
        const id = ctx.url.searchParams.get('id');
        if (!id) throw new HttpError(400, 'the id query parameter is required');
        return { status: 200, json: { ...project(projectNameOf(id)), id } };
      },
    },
    // No `logs3_payload_max_bytes`: the SDKs then split batches at their own 6 MB and never
    // use overflow uploads (which would need object storage); the collector takes 32 MiB.
    { method: 'GET', path: '/version', auth: 'none', handler: () => ({ status: 200, json: {} }) },
    {
      method: 'GET',
      path: '/ping',
      auth: 'none',
      handler: () => ({ status: 200, json: { id: ORG.id, org_name: ORG.name } }),
    },
    {
      method: 'POST',
      path: '/logs3',
      auth: 'none',
      accepts: JSON_OR_NONE,
      handler: async (ctx) => {
        const result = normaliseLogs3(await ctx.readJson(), book);
        if (result.problems.length) {
          const first = result.problems[0];
          throw new HttpError(400, `invalid rows: ${first.path} ${first.message}`, result.problems);
        }
        deps.store.apply(result.patches);
        return { status: 200, json: { ok: true } };
      },
    },
    // Experiments (`init`, `Eval`) are Braintrust's, not logs: say so rather than a bare 404.
    ...['/api/experiment/register', '/api/experiment/get', '/api/base_experiment/get_id'].map(
      (path): Route => ({
        method: 'POST',
        path,
        auth: 'none',
        handler: () => {
          throw new HttpError(
            501,
            'Spanscope records Braintrust logs (initLogger, traced, logFeedback); experiments (init, Eval) are not supported',
          );
        },
      }),
    ),
  ];
}

function project(name: string) {
  return { id: projectIdOf(name), name, org_id: ORG.id };
}

/** The collector as the client reached it (Host was checked to be this machine's loopback). */
function baseUrl(ctx: RequestContext): string {
  return `http://${ctx.req.headers.host}`;
}
