// TEMPORARY scaffolding, to be deleted once the real extension lands on main: a tiny unpacked
// extension that uses every workbench surface the real suite drives (a view container with a
// tree, inline and context-menu actions, a webview, terminal environment, opening a file at a
// line), so the harness is proven against a real VS Code before Spanscope exists.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const PROBE = {
  envVar: 'SPANSCOPE_E2E_PROBE',
  envValue: 'probe-env-ok',
  container: 'Probe',
  view: 'Probe Items',
  openCommand: 'Probe: Open Panel',
};

const manifest = {
  name: 'e2e-probe',
  publisher: 'spanscope-e2e',
  version: '0.0.1',
  engines: { vscode: '^1.90.0' },
  main: './extension.js',
  activationEvents: ['onStartupFinished'],
  contributes: {
    viewsContainers: { activitybar: [{ id: 'probe', title: PROBE.container, icon: '$(beaker)' }] },
    views: { probe: [{ id: 'probe.items', name: PROBE.view }] },
    commands: [
      { command: 'probe.open', title: PROBE.openCommand },
      { command: 'probe.thumbsUp', title: 'Thumbs Up', icon: '$(thumbsup)' },
      { command: 'probe.goToSource', title: 'Go to Source' },
    ],
    menus: {
      'view/item/context': [
        { command: 'probe.thumbsUp', when: 'view == probe.items', group: 'inline' },
        { command: 'probe.goToSource', when: 'view == probe.items' },
      ],
      commandPalette: [{ command: 'probe.thumbsUp', when: 'false' }, { command: 'probe.goToSource', when: 'false' }],
    },
  },
};

// Plain CommonJS, as a bundled extension is. Each tree item points at a `def` line of app.py.
const extensionJs = `
const vscode = require('vscode');
exports.activate = (context) => {
  context.environmentVariableCollection.replace(${JSON.stringify(PROBE.envVar)}, ${JSON.stringify(PROBE.envValue)});
  const thumbs = new Map();
  const items = [
    { id: 'outer', label: 'outer_item', line: 1, children: ['inner'] },
    { id: 'inner', label: 'inner_item', line: 5, children: [] },
  ];
  const byId = new Map(items.map((i) => [i.id, i]));
  const changed = new vscode.EventEmitter();
  const provider = {
    onDidChangeTreeData: changed.event,
    getChildren: (el) => el ? el.children.map((c) => byId.get(c)) : [items[0]],
    getTreeItem: (el) => {
      const t = new vscode.TreeItem(el.label, el.children.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
      t.id = el.id;
      t.description = thumbs.get(el.id) ? '👍 ' + thumbs.get(el.id) : 'no score';
      return t;
    },
  };
  context.subscriptions.push(vscode.window.createTreeView('probe.items', { treeDataProvider: provider }));
  const openAt = async (line) => {
    const folder = vscode.workspace.workspaceFolders[0].uri;
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder, 'app.py'));
    const pos = new vscode.Position(line - 1, 0);
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos) });
  };
  context.subscriptions.push(
    vscode.commands.registerCommand('probe.thumbsUp', (el) => { thumbs.set(el.id, (thumbs.get(el.id) || 0) + 1); changed.fire(); }),
    vscode.commands.registerCommand('probe.goToSource', (el) => openAt(el.line)),
    vscode.commands.registerCommand('probe.open', () => {
      const panel = vscode.window.createWebviewPanel('probe.panel', 'Probe Panel', vscode.ViewColumn.One, { enableScripts: true });
      panel.webview.onDidReceiveMessage((m) => openAt(m.line));
      panel.webview.html = '<!doctype html><html><body><h1 id="probe-title">Probe panel</h1>'
        + '<button id="probe-jump">jump to inner_item</button>'
        + '<script>const api = acquireVsCodeApi(); document.getElementById("probe-jump").onclick = () => api.postMessage({ line: 5 });</script>'
        + '</body></html>';
    }),
  );
};
exports.deactivate = () => {};
`;

/** Writes the probe as an unpacked extension folder (`publisher.name-version`) into `extensionsDir`. */
export function writeProbeExtension(extensionsDir: string): void {
  const dir = join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  writeFileSync(join(dir, 'extension.js'), extensionJs);
}
