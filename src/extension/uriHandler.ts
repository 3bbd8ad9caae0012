// `vscode://spanscope.spanscope/trace?id=…[&span=…]` opens that trace in the panel: a link in a
// browser (the collector's Opik redirect page), a terminal or a document can bring the user
// straight to a trace in this window.

import * as vscode from 'vscode';
import type { Logger } from './log';
import type { TracePanelHost } from './panel/tracePanel';
import { parseTraceLink } from './traceLinks';

export function registerUriHandler(panel: TracePanelHost, log: Logger): vscode.Disposable[] {
  return [
    vscode.window.registerUriHandler({
      handleUri: async (uri) => {
        const target = parseTraceLink(uri.path, uri.query);
        if (!target) {
          log.warn(`ignored a link Spanscope does not know: ${uri.toString(true)}`);
          void vscode.window.showWarningMessage('Spanscope links look like …/trace?id=TRACE_ID; this one could not be opened.');
          return;
        }
        log.info(`opening trace ${target.traceId} from a link`);
        await panel.show(target);
      },
    }),
  ];
}
