// The current settings, re-read when the user changes one of ours.

import * as vscode from 'vscode';
import { Disposable } from './lifecycle';
import { readSettings, type SpanscopeSettings } from './settings';
import type { SettingId } from './constants';

export class SettingsWatcher extends Disposable {
  private readonly emitter = this._register(new vscode.EventEmitter<vscode.ConfigurationChangeEvent>());
  /** Fires after `current` is updated; check `e.affectsConfiguration(Settings.x)`. */
  readonly onDidChange = this.emitter.event;
  current: SpanscopeSettings = read();

  constructor() {
    super();
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('spanscope')) return;
        this.current = read();
        this.emitter.fire(e);
      }),
    );
  }

  /** Runs `listener` when any of `keys` changes. */
  onDidChangeAny(keys: SettingId[], listener: () => void): vscode.Disposable {
    return this.onDidChange((e) => {
      if (keys.some((k) => e.affectsConfiguration(k))) listener();
    });
  }
}

function read(): SpanscopeSettings {
  const config = vscode.workspace.getConfiguration();
  return readSettings((key) => config.get(key));
}
