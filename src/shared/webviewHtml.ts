// The one HTML shell of the trace panel, for both hosts: the VS Code WebviewPanel and the page
// the collector serves. One function so the two can not drift apart in their CSP or markup.
// The shell holds no data: everything reaches the page through the protocol afterwards.

export type WebviewHostKind = 'vscode' | 'browser';

export interface WebviewHtmlOptions {
  host: WebviewHostKind;
  /** media/dist/webview.js as the page loads it (`webview.asWebviewUri(…)`, or `/assets/webview.js`). */
  scriptUri: string;
  /** media/dist/webview.css, the same way. */
  styleUri: string;
  /** Where the bundle's files come from: `webview.cspSource` in VS Code, `'self'` in the browser. */
  cspSource: string;
  /** Fresh per response (`createNonce()`). */
  nonce: string;
  /** More `connect-src` sources, e.g. the page's own WebSocket `ws://127.0.0.1:7726`. */
  connectSources?: string[];
  title?: string;
}

/** 128 random bits, base64url. Uses Web Crypto, which Node 20 and browsers both have. */
export function createNonce(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function contentSecurityPolicy(o: Pick<WebviewHtmlOptions, 'cspSource' | 'nonce' | 'connectSources'>): string {
  const connect = o.connectSources?.length ? [o.cspSource, ...o.connectSources].join(' ') : "'none'";
  return [
    "default-src 'none'",
    `script-src 'nonce-${o.nonce}'`,
    `style-src ${o.cspSource} 'nonce-${o.nonce}'`,
    `font-src ${o.cspSource}`,
    `img-src ${o.cspSource} data:`,
    `connect-src ${connect}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function webviewHtml(o: WebviewHtmlOptions): string {
  const a = escapeAttribute;
  return `<!DOCTYPE html>
<html lang="en" data-spanscope-host="${a(o.host)}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${a(contentSecurityPolicy(o))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta property="csp-nonce" content="${a(o.nonce)}">
<title>${a(o.title ?? 'Spanscope')}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${a(o.styleUri)}" nonce="${a(o.nonce)}">
</head>
<body>
<div id="app" class="app" aria-busy="true"></div>
<script nonce="${a(o.nonce)}" src="${a(o.scriptUri)}"></script>
</body>
</html>
`;
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
