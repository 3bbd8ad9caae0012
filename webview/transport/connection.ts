// What the panel needs from its host, whichever it is: the VS Code extension host over
// postMessage, or the collector over HTTP and a WebSocket when the page runs in a browser.

import type { NotificationType, ParamsOf, RequestType, ResultOf } from '../../src/shared/protocol';
import type { SourceLocation } from '../../src/shared/protocol';

export type ConnectionStatus = 'connected' | 'reconnecting';

export interface HostConnection {
  request<T extends RequestType<any, any>>(type: T, params: ParamsOf<T>): Promise<ResultOf<T>>;
  onNotification<T extends NotificationType<any>>(type: T, handler: (params: ParamsOf<T>) => void): () => void;
  /**
   * In a browser, a source location is a real link (`vscode://file/…`) the user follows; in
   * VS Code there is none, and a click sends OpenSource instead.
   */
  sourceHref(location: SourceLocation): string | undefined;
  onStatus(handler: (status: ConnectionStatus) => void): void;
  dispose(): void;
}
