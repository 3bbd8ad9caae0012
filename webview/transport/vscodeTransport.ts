// The panel inside VS Code: protocol messages over the webview's postMessage channel.

import { RpcEndpoint } from '../../src/shared/rpc';
import type { HostConnection } from './connection';

export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare global {
  // Injected by VS Code into every webview; callable once per page.
  function acquireVsCodeApi(): VsCodeApi;
}

export function connectVsCode(api: VsCodeApi, win: Window = window): HostConnection {
  const endpoint = new RpcEndpoint((message) => api.postMessage(message));
  const onMessage = (event: MessageEvent) => void endpoint.receive(event.data);
  win.addEventListener('message', onMessage);
  return {
    request: (type, params) => endpoint.request(type, params),
    onNotification: (type, handler) => endpoint.onNotification(type, handler),
    sourceHref: () => undefined,
    // postMessage to the extension host does not drop: there is nothing to reconnect.
    onStatus: () => undefined,
    dispose() {
      win.removeEventListener('message', onMessage);
      endpoint.dispose();
    },
  };
}
