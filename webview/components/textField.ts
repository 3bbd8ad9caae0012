// A single-line text input with VS Code's look.

export interface TextField {
  readonly element: HTMLElement;
  value: string;
  focus(): void;
}

export interface TextFieldOptions {
  placeholder?: string;
  value?: string;
  ariaLabel: string;
  className?: string;
  /** Icon shown at the start, inside the field. */
  icon?: string;
  onInput?(value: string): void;
  /** Keys the field should handle (Enter, Escape, arrows…); return true when handled. */
  // biome-ignore lint/suspicious/noConfusingVoidType: a handler with no return has not handled the key; `undefined` here would refuse it
  onKeyDown?(event: KeyboardEvent): boolean | void;
}

export function textField(o: TextFieldOptions): TextField {
  const el = document.createElement('vscode-text-field') as HTMLElement & { value: string };
  if (o.placeholder) el.setAttribute('placeholder', o.placeholder);
  el.setAttribute('aria-label', o.ariaLabel);
  if (o.className) el.className = o.className;
  if (o.value) el.setAttribute('value', o.value);
  if (o.icon) {
    const icon = document.createElement('span');
    icon.slot = 'start';
    icon.className = `codicon codicon-${o.icon}`;
    icon.setAttribute('aria-hidden', 'true');
    el.append(icon);
  }
  el.addEventListener('input', () => o.onInput?.(el.value ?? ''));
  el.addEventListener('keydown', (e) => {
    if (o.onKeyDown?.(e)) {
      e.preventDefault();
      e.stopPropagation();
    }
  });
  return {
    element: el,
    get value() {
      return el.value ?? '';
    },
    set value(v: string) {
      el.value = v;
    },
    focus() {
      el.focus();
    },
  };
}
