// `GET /api/functions` (docs/protocol.md, "Function index"): the calls of the functions in one
// source file, with statistics over a window, for CodeLens, hovers and any other editor.
// Needs the token, like every read.

import { isStatsWindow, STATS_WINDOWS } from '../core/functions/callStats';
import { MAX_CALLS } from '../core/functions/functionIndex';
import { seededFunctionIndexOf } from './functionIndexes';
import { HttpError } from './httpError';
import type { CollectorDeps, Route } from './router';

const MAX_NAMES = 500;

export function functionRoutes({ store }: CollectorDeps): Route[] {
  // Made on the first request, not with the routes: an index follows every change the store
  // makes, which doubled native ingest's CPU per span (bench/_compareIngest.ts) for a
  // collector that no editor asks. Its first query reads the newest traces back (seeding).
  return [
    {
      method: 'GET',
      path: '/api/functions',
      auth: 'token',
      handler: async ({ url }) => {
        const params = url.searchParams;
        const file = params.get('file') ?? undefined;
        const names = params.getAll('name').filter(Boolean);
        if (!file && !names.length)
          throw new HttpError(400, 'give file=ABSOLUTE_PATH (and/or name=FUNCTION for functions known only by name)');
        if (names.length > MAX_NAMES) throw new HttpError(400, `at most ${MAX_NAMES} name parameters`);
        const window = params.get('window') || 'all';
        if (!isStatsWindow(window)) throw new HttpError(400, `window must be one of ${STATS_WINDOWS.join(', ')}`);
        const recentText = params.get('recent');
        const recent = recentText === null || recentText === '' ? 20 : Number(recentText);
        if (!Number.isInteger(recent) || recent < 0 || recent > MAX_CALLS)
          throw new HttpError(400, `recent must be an integer from 0 to ${MAX_CALLS}`);
        const index = await seededFunctionIndexOf(store);
        return {
          status: 200,
          json: {
            window,
            run_start: runStartIso(index.runStart),
            functions: index.query({ file, names, window, recent }),
          },
        };
      },
    },
  ];
}

function runStartIso(ms: number): string | null {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}
