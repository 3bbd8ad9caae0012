// Entry point of the panel bundle. The same bundle runs inside a VS Code webview and as the
// page the collector serves; it picks its transport and state storage by what the page has.

import { App } from './app';
import { registerToolkit } from './components/toolkit';
import { browserStorage, vscodeStorage } from './state/uiState';
import { connectBrowser } from './transport/browserTransport';
import { connectVsCode } from './transport/vscodeTransport';
import { applyStandaloneTheme } from './standaloneTheme';

function boot(): void {
  const root = document.getElementById('app');
  if (!root) return;
  registerToolkit();
  if (typeof acquireVsCodeApi === 'function') {
    const api = acquireVsCodeApi();
    void new App(root, connectVsCode(api), vscodeStorage(api)).start();
  } else {
    applyStandaloneTheme(document.body);
    void new App(root, connectBrowser(), browserStorage()).start();
  }
}

boot();
