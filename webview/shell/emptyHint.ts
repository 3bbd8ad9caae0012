// What the panel says when there is nothing to show yet: how to get traces here, in the words
// of the host the page runs in (a VS Code terminal has SPANSCOPE_URL set; a script run
// elsewhere needs it pointed at this collector).

import type { HostInfo } from '../../src/shared/protocol';

/** `origin`: the standalone page's own address, which is the collector's. */
export function noTracesHint(info: HostInfo | undefined, origin: string): string {
  if (info?.host === 'browser') {
    return `No traces yet. Run a script with SPANSCOPE_URL=${origin} in its environment, and its traces show up here as they run.`;
  }
  return 'No traces yet. Run a script in a new VS Code terminal (python app.py, node app.js…): SPANSCOPE_URL is set there, so its traces show up here as they run.';
}
