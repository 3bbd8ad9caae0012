// A test-only extension that test/e2e/agentTools.e2e.ts installs beside Spanscope (it never
// ships). VS Code lets any extension list and invoke the language-model tools another one
// registers, which is what a chat agent does; this does it from a command the test runs in the
// palette and writes what it got to agent-probe.json in the workspace for the test to read.
// Spanscope itself then needs no command that exists only for tests.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');

const PREFIX = 'spanscope_';

async function invoke(name, input) {
  const result = await vscode.lm.invokeTool(name, { input, toolInvocationToken: undefined });
  return result.content.map((part) => part.value).join('');
}

async function probe() {
  const out = {
    tools: vscode.lm.tools
      .filter((t) => t.name.startsWith(PREFIX))
      .map((t) => ({ name: t.name, inputSchema: t.inputSchema })),
    enabled: vscode.workspace.getConfiguration('spanscope').get('agentTools.enabled'),
  };
  if (out.tools.length) {
    try {
      // VS Code 1.100 keeps listing a contributed tool whose extension unregistered it; invoking it is what tells.
      out.listed = await invoke(`${PREFIX}list_traces`, {}).then(
        () => 'answered',
        (err) => `refused: ${err?.message}`,
      );
      out.list = JSON.parse(await invoke(`${PREFIX}list_traces`, { filter: 'name:llm_chain' }));
      const id = out.list.traces[0]?.id;
      out.trace = JSON.parse(await invoke(`${PREFIX}get_trace`, { trace_id: id }));
      try {
        out.missing = await invoke(`${PREFIX}get_trace`, { trace_id: 'no-such-trace' });
      } catch (err) {
        out.missingError = String(err?.message);
      }
    } catch (err) {
      out.error = String(err?.stack || err);
    }
  }
  const file = path.join(vscode.workspace.workspaceFolders[0].uri.fsPath, 'agent-probe.json');
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(out));
  fs.renameSync(`${file}.tmp`, file); // the test never reads half a file
}

exports.activate = (context) => {
  context.subscriptions.push(
    vscode.commands.registerCommand('spanscopeTest.probeAgentTools', probe),
    vscode.commands.registerCommand('spanscopeTest.disableAgentTools', () =>
      vscode.workspace
        .getConfiguration('spanscope')
        .update('agentTools.enabled', false, vscode.ConfigurationTarget.Global),
    ),
  );
};
