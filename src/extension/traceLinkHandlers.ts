// Links that open a trace in the panel. `vscode://spanscope.spanscope/trace?id=…[&span=…]`
// from a browser or a document; and in the integrated terminal, the link the Opik SDK prints
// after a script's first trace, which would otherwise open the web page in a browser.

import * as vscode from 'vscode';
import type { CollectorService } from './collector/collectorService';
import type { Logger } from './log';
import type { TracePanelHost } from './panel/tracePanel';
import { findTerminalTraceLinks, parseTraceLink } from './traceLinkModel';

type TraceTerminalLink = vscode.TerminalLink & { traceId: string };

export function registerTraceLinks(panel: TracePanelHost, service: CollectorService, log: Logger): vscode.Disposable[] {
  return [
    vscode.window.registerTerminalLinkProvider({
      provideTerminalLinks: (context): TraceTerminalLink[] => {
        const state = service.state;
        if (state.phase !== 'listening') return [];
        return findTerminalTraceLinks(context.line, state.port).map((l) => ({
          ...l,
          tooltip: 'Open the trace in the Spanscope panel',
        }));
      },
      handleTerminalLink: (link: TraceTerminalLink) => panel.show({ traceId: link.traceId }),
    } satisfies vscode.TerminalLinkProvider<TraceTerminalLink>),
    vscode.window.registerUriHandler({
      handleUri: async (uri) => {
        const target = parseTraceLink(uri.path, uri.query);
        if (!target) {
          log.warn(`ignored a link Spanscope does not know: ${uri.toString(true)}`);
          void vscode.window.showWarningMessage(
            'Spanscope links look like …/trace?id=TRACE_ID; this one could not be opened.',
          );
          return;
        }
        log.info(`opening trace ${target.traceId} from a link`);
        await panel.show(target);
      },
    }),
  ];
}
