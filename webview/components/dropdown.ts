// A select box with VS Code's look.

export interface DropdownOption {
  value: string;
  label: string;
}

export interface Dropdown {
  readonly element: HTMLElement;
  value: string;
}

export function dropdown(o: {
  options: DropdownOption[];
  value?: string;
  ariaLabel: string;
  className?: string;
  onChange?(value: string): void;
}): Dropdown {
  const el = document.createElement('vscode-dropdown') as HTMLElement & { value: string };
  el.setAttribute('aria-label', o.ariaLabel);
  if (o.className) el.className = o.className;
  for (const opt of o.options) {
    const option = document.createElement('vscode-option');
    option.setAttribute('value', opt.value);
    option.textContent = opt.label;
    if (opt.value === o.value) option.setAttribute('selected', '');
    el.append(option);
  }
  el.addEventListener('change', () => o.onChange?.(el.value));
  return {
    element: el,
    get value() {
      return el.value;
    },
    set value(v: string) {
      el.value = v;
    },
  };
}
