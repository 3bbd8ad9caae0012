// The host↔webview protocol end to end in one process: the webview side is the real
// vscodeTransport over a window stand-in (an EventTarget delivering MessageEvents, since no
// VS Code webview can run here), the host side a real RpcEndpoint.

import { afterEach, describe, expect, it } from 'vitest';
import { RpcEndpoint, RpcTimeoutError } from '../../src/shared/rpc';
import {
  ChangesNotification,
  GetTrace,
  Ready,
  SetScore,
  ShowTrace,
  type Changes,
  type WireMessage,
} from '../../src/shared/protocol';
import { connectVsCode } from '../../webview/transport/vscodeTransport';
import { ReadyGate } from '../../webview/shell/readyGate';
import { makeTrace } from '../fixtures/traceBuilder';

function pair(timeoutMs = 1000) {
  const win = new EventTarget() as unknown as Window;
  const toWebview = (m: WireMessage) =>
    queueMicrotask(() => win.dispatchEvent(new MessageEvent('message', { data: m })));
  const host = new RpcEndpoint(toWebview, timeoutMs);
  let state: unknown;
  const api = {
    postMessage: (m: unknown) => queueMicrotask(() => void host.receive(m)),
    getState: () => state,
    setState: (s: unknown) => (state = s),
  };
  const webview = connectVsCode(api, win);
  return { host, webview };
}

const disposers: Array<() => void> = [];
afterEach(() => disposers.splice(0).forEach((d) => d()));

describe('host ↔ webview protocol', () => {
  it('answers a request with the result of the handler', async () => {
    const { host, webview } = pair();
    disposers.push(() => webview.dispose());
    const detail = makeTrace({ spans: 3 });
    host.onRequest(GetTrace, ({ traceId }) => (traceId === 'trace-1' ? detail : null));
    await expect(webview.request(GetTrace, { traceId: 'trace-1' })).resolves.toEqual(detail);
    await expect(webview.request(GetTrace, { traceId: 'nope' })).resolves.toBeNull();
  });

  it('carries a handler error back as a rejection with its message', async () => {
    const { host, webview } = pair();
    disposers.push(() => webview.dispose());
    host.onRequest(SetScore, () => {
      throw new Error('trace t1 not found');
    });
    await expect(webview.request(SetScore, { target: 'trace', id: 't1', name: 'x', value: 1 })).rejects.toThrow(
      'trace t1 not found',
    );
  });

  it('rejects a request nobody handles', async () => {
    const { webview } = pair();
    disposers.push(() => webview.dispose());
    await expect(webview.request(GetTrace, { traceId: 'x' })).rejects.toThrow('no handler for traces/get');
  });

  it('times out a request that gets no reply', async () => {
    const silent = new RpcEndpoint(() => undefined, 50);
    await expect(silent.request(GetTrace, { traceId: 'x' })).rejects.toBeInstanceOf(RpcTimeoutError);
  });

  it('rejects what is in flight when disposed, and everything after', async () => {
    const silent = new RpcEndpoint(() => undefined, 10_000);
    const pending = silent.request(GetTrace, { traceId: 'x' });
    silent.dispose();
    await expect(pending).rejects.toThrow('connection closed');
    await expect(silent.request(GetTrace, { traceId: 'y' })).rejects.toThrow('connection closed');
  });

  it('delivers notifications from the host', async () => {
    const { host, webview } = pair();
    disposers.push(() => webview.dispose());
    const got = new Promise((resolve) => webview.onNotification(ShowTrace, resolve));
    host.notify(ShowTrace, { traceId: 't9', spanId: 's1' });
    await expect(got).resolves.toEqual({ traceId: 't9', spanId: 's1' });
  });

  it('holds changes that arrive before the first snapshot is applied, then applies them in order', async () => {
    const { host, webview } = pair();
    disposers.push(() => webview.dispose());
    const gate = new ReadyGate();
    const seen: string[] = [];
    webview.onNotification(
      ChangesNotification,
      gate.wrap((c: Changes) => seen.push(`changes:${c.removed.join()}`)),
    );
    host.onRequest(Ready, async () => {
      // A host that (wrongly or in a race) sends changes before its Ready reply.
      host.notify(ChangesNotification, { traces: [], removed: ['a'], spans: [] });
      host.notify(ChangesNotification, { traces: [], removed: ['b'], spans: [] });
      return { info: { host: 'vscode' as const, version: '1', scoreDefinitions: [] }, traces: [] };
    });
    const ready = await webview.request(Ready, {});
    await new Promise((r) => setTimeout(r, 10));
    seen.push(`ready:${ready.info.host}`);
    gate.open();
    expect(seen).toEqual(['ready:vscode', 'changes:a', 'changes:b']);
    webview.onNotification(
      ChangesNotification,
      gate.wrap((c: Changes) => seen.push(`late:${c.removed.join()}`)),
    );
    host.notify(ChangesNotification, { traces: [], removed: ['c'], spans: [] });
    await new Promise((r) => setTimeout(r, 10));
    expect(seen.slice(3)).toEqual(['changes:c', 'late:c']);
  });

  it('stops listening to the window once disposed', async () => {
    const { host, webview } = pair();
    let count = 0;
    webview.onNotification(ShowTrace, () => count++);
    webview.dispose();
    host.notify(ShowTrace, { traceId: 'x' });
    await new Promise((r) => setTimeout(r, 10));
    expect(count).toBe(0);
  });
});
