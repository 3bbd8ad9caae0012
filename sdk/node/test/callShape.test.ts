// What re-running a tracked call needs from the Node SDK (metadata `spanscope.call`): the
// parameter names in order, a `...rest`, a method, and which arguments JSON could not keep.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { configure, flush, track } from '../src/index';
import { startTestCollector, type TestCollector } from '../../../test/support/collector';
import { onlyTrace } from '../../../test/support/traces';

let c: TestCollector;
beforeAll(async () => {
  c = await startTestCollector();
  configure({ url: `http://127.0.0.1:${c.port}`, projectName: 'call-shape' });
});
afterAll(async () => {
  await flush();
  configure({ disabled: true });
  await c.close();
});

it('records parameter names, rest, and the arguments that are not plain JSON', async () => {
  const search = track(function search(query: string, client: object, options: object, ...more: unknown[]) {
    return [query, client, options, more].length;
  });
  search('q', new Map([['a', 1]]), { plain: [1] }, () => 1, 2);
  await flush();
  const detail = await onlyTrace(c, 'call-shape');
  expect(detail.spans[0].metadata?.['spanscope.call']).toEqual({
    qualname: 'search',
    method: null,
    names: ['query', 'client', 'options', 'more'],
    rest: true,
    lossy: ['client', 'more'],
  });
});
