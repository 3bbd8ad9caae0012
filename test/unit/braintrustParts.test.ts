// The pure pieces of the Braintrust wire: export strings (V4 from the real SDK, V3 built byte
// by byte as its encoder lays them out), error strings as each SDK writes them, project ids,
// and Braintrust's deep merge.

import { describe, expect, it } from 'vitest';
import { _exportsForTestingOnly, initLogger } from 'braintrust';
import { deepMerge } from '../../src/core/normalise/braintrust/deepMerge';
import { parseErrorText } from '../../src/core/normalise/braintrust/errorText';
import { projectIdOf, projectNameOf } from '../../src/core/normalise/braintrust/projectIds';
import { parseBraintrustParent, parseSpanComponents } from '../../src/core/normalise/braintrust/spanComponents';

const uuidBytes = (uuid: string) => Buffer.from(uuid.replace(/-/g, ''), 'hex');

/** A version 3 string: [3, object type, count, (tag, 16 bytes)…, JSON tail]. */
function v3(objectType: number, fields: [number, string][], tail?: object): string {
  const parts = [Buffer.from([3, objectType, fields.length])];
  for (const [tag, uuid] of fields) parts.push(Buffer.from([tag]), uuidBytes(uuid));
  if (tail) parts.push(Buffer.from(JSON.stringify(tail)));
  return Buffer.concat(parts).toString('base64');
}

describe('span export strings', () => {
  it('reads a version 4 string the real SDK exports, with hex span ids and the project still by name', async () => {
    // No network: rows go to the SDK's own in-memory test logger, and export needs no login.
    const logger = initLogger({ projectName: 'export-proj', apiKey: 'k', appUrl: 'http://127.0.0.1:9' });
    _exportsForTestingOnly.useTestBackgroundLogger();
    const span = logger.startSpan({ name: 'x' });
    const exported = await span.export();
    span.end();
    _exportsForTestingOnly.clearTestBackgroundLogger();
    const parsed = parseSpanComponents(exported);
    expect(parsed).toEqual({
      version: 4,
      objectType: 'project_logs',
      computeObjectMetadataArgs: { project_name: 'export-proj' },
      rowId: span.id,
      spanId: span.spanId,
      rootSpanId: span.rootSpanId,
    });
    expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('reads a version 3 string with UUID fields and a JSON tail', () => {
    const ids = {
      project: '0b3c8f7e-1111-4222-8333-444455556666',
      row: '11111111-2222-4333-8444-555566667777',
      span: '22222222-3333-4444-8555-666677778888',
      root: '33333333-4444-4555-8666-777788889999',
    };
    const text = v3(
      2,
      [
        [1, ids.project],
        [2, ids.row],
        [3, ids.span],
        [4, ids.root],
      ],
      { propagated_event: { metadata: { tenant: 't1' } } },
    );
    expect(parseSpanComponents(text)).toEqual({
      version: 3,
      objectType: 'project_logs',
      objectId: ids.project,
      rowId: ids.row,
      spanId: ids.span,
      rootSpanId: ids.root,
      propagatedEvent: { metadata: { tenant: 't1' } },
    });
    // Ids that are not UUIDs travel in the tail; a logger's own export has no row ids.
    expect(
      parseSpanComponents(v3(1, [], { object_id: 'exp-1', row_id: 'r', span_id: 's', root_span_id: 't' })),
    ).toMatchObject({ objectType: 'experiment', objectId: 'exp-1', rowId: 'r', spanId: 's', rootSpanId: 't' });
    expect(parseSpanComponents(v3(2, [[1, ids.project]]))).toEqual({
      version: 3,
      objectType: 'project_logs',
      objectId: ids.project,
    });
    // base64url (as a header might carry it) reads the same.
    expect(parseSpanComponents(text.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''))).toMatchObject({
      spanId: ids.span,
    });
  });

  it('gives undefined for anything it cannot read rather than a wrong parent', () => {
    for (const bad of [
      '',
      'not base64!',
      Buffer.from([2, 2, 0]).toString('base64'),
      Buffer.from([3, 9, 0]).toString('base64'),
      Buffer.from([3, 2, 1, 3, 1, 2]).toString('base64'), // a field cut short
      Buffer.concat([Buffer.from([3, 2, 0]), Buffer.from('{not json')]).toString('base64'),
      v3(2, [], { row_id: 'only-the-row' }), // row, span and root come together
      'x'.repeat(70_000),
    ]) {
      expect(parseSpanComponents(bad), bad.slice(0, 20)).toBeUndefined();
    }
  });
});

describe('Braintrust parents (what the AI proxy reads from x-bt-parent)', () => {
  it('resolves an exported span to its trace and span, and the project by name or by our id', () => {
    const ids = {
      row: '11111111-2222-4333-8444-555566667777',
      span: '22222222-3333-4444-8555-666677778888',
      root: '33333333-4444-4555-8666-777788889999',
    };
    expect(
      parseBraintrustParent(
        v3(
          2,
          [
            [2, ids.row],
            [3, ids.span],
            [4, ids.root],
          ],
          { object_id: projectIdOf('My Project') },
        ),
      ),
    ).toEqual({ traceId: ids.root, spanId: ids.span, projectName: 'My Project' });
    expect(parseBraintrustParent(v3(2, [], { compute_object_metadata_args: { project_name: 'By Name' } }))).toEqual({
      projectName: 'By Name',
    });
    expect(parseBraintrustParent(`project_id:${projectIdOf('P1')}`)).toEqual({ projectName: 'P1' });
    expect(parseBraintrustParent('project_name:My: Project')).toEqual({ projectName: 'My: Project' });
    expect(parseBraintrustParent('experiment_id:e1')).toEqual({ objectId: 'e1' });
    expect(parseBraintrustParent('nonsense')).toBeUndefined();
  });
});

describe('error strings', () => {
  it('splits a Python error into its type, message and traceback (exception line last, as Python prints it)', () => {
    const text =
      'ValueError: no such city\n\nTraceback (most recent call last):\n  File "/app/main.py", line 12, in lookup\n    raise ValueError("no such city")\n';
    expect(parseErrorText(text)).toEqual({
      exception_type: 'ValueError',
      message: 'no such city',
      traceback:
        'Traceback (most recent call last):\n  File "/app/main.py", line 12, in lookup\n    raise ValueError("no such city")\nValueError: no such city',
    });
    expect(
      parseErrorText(
        'mypkg.errors.QuotaError: over\n\nTraceback (most recent call last):\n  File "x.py", line 1, in <module>\n',
      ).exception_type,
    ).toBe('mypkg.errors.QuotaError');
  });

  it('splits a JS error into the message and the stack, the type from its first line', () => {
    const text =
      'the tool broke\n\nTypeError: the tool broke\n    at run (file:///app/main.mjs:3:9)\n    at main (file:///app/main.mjs:9:3)';
    expect(parseErrorText(text)).toEqual({
      exception_type: 'TypeError',
      message: 'the tool broke',
      traceback:
        'TypeError: the tool broke\n    at run (file:///app/main.mjs:3:9)\n    at main (file:///app/main.mjs:9:3)',
    });
  });

  it('keeps any other text whole as the message', () => {
    expect(parseErrorText('something went wrong')).toEqual({
      exception_type: 'Error',
      message: 'something went wrong',
    });
    expect(parseErrorText('RateLimitError: slow down')).toEqual({
      exception_type: 'RateLimitError',
      message: 'slow down',
    });
  });
});

describe('project ids', () => {
  it('encode the name, so any id decodes without a table, and a foreign id names its own project', () => {
    for (const name of ['My Project', 'élan/vital ✓', 'a']) expect(projectNameOf(projectIdOf(name))).toBe(name);
    expect(projectIdOf('My Project')).toBe(projectIdOf('My Project'));
    expect(projectNameOf('0b3c8f7e-1111-4222-8333-444455556666')).toBe('0b3c8f7e-1111-4222-8333-444455556666');
    expect(projectNameOf('p-!!')).toBe('p-!!');
  });
});

describe('deep merge', () => {
  it('merges objects all the way down and replaces anything else, leaving both arguments as they were', () => {
    const base = { metadata: { user: { id: 'u1' }, tags: ['a'] }, output: 'old', n: 1 };
    const update = { metadata: { user: { plan: 'pro' }, tags: ['b'] }, output: null };
    expect(deepMerge(base, update)).toEqual({
      metadata: { user: { id: 'u1', plan: 'pro' }, tags: ['b'] },
      output: null,
      n: 1,
    });
    expect(base.metadata.user).toEqual({ id: 'u1' });
  });

  it('keeps a "__proto__" key a plain key', () => {
    const merged = deepMerge({}, JSON.parse('{"__proto__": {"polluted": true}}'));
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(merged)).toEqual(['__proto__']);
  });
});
