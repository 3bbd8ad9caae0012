import { describe, expect, it } from 'vitest';
import { noTracesHint } from '../../webview/shell/emptyHint';

describe('what an empty panel says', () => {
  it('points a VS Code user at the terminal, where SPANSCOPE_URL is set', () => {
    const text = noTracesHint({ host: 'vscode', version: '1', scoreDefinitions: [] }, 'vscode-webview://abc');
    expect(text).toMatch(/^No traces yet\. Run a script in a new VS Code terminal/);
    expect(text).toContain('SPANSCOPE_URL is set there');
    expect(text).not.toContain('vscode-webview://');
  });

  it('gives a browser user the collector’s address to set', () => {
    expect(noTracesHint({ host: 'browser', version: '1', scoreDefinitions: [] }, 'http://127.0.0.1:7726')).toContain(
      'SPANSCOPE_URL=http://127.0.0.1:7726',
    );
  });
});
