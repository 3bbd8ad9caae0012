// The only file that registers @vscode/webview-ui-toolkit. Every control the panel uses is
// made by a function in this folder, so moving to @vscode-elements/elements (the toolkit was
// archived in 2025) means changing this folder and nothing else.

import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeDivider,
  vsCodeDropdown,
  vsCodeOption,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';

// <vscode-badge>, <vscode-tag> and <vscode-progress-ring> are left out on purpose: see badge.ts.
let registered = false;

export function registerToolkit(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(
    vsCodeButton(),
    vsCodeDivider(),
    vsCodeDropdown(),
    vsCodeOption(),
    vsCodeTextField(),
  );
}
