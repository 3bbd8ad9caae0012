// The charts' colours, read from the page's CSS variables each time the charts are drawn, so
// they follow the VS Code theme (and the standalone page's light or dark set). VS Code
// defines `--vscode-charts-*` for exactly this; the fallbacks are its dark theme's values.

import type { ChartColor } from './chartData';

export interface ChartTheme {
  colors: Record<ChartColor, string>;
  foreground: string;
  grid: string;
  font: string;
}

const FALLBACK: Record<ChartColor, string> = {
  blue: '#3794ff',
  red: '#f14c4c',
  green: '#89d185',
  yellow: '#cca700',
  orange: '#d18616',
  purple: '#b180d7',
};

export function readChartTheme(el: Element = document.body): ChartTheme {
  const style = getComputedStyle(el);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const colors = {} as Record<ChartColor, string>;
  for (const key of Object.keys(FALLBACK) as ChartColor[]) colors[key] = v(`--vscode-charts-${key}`, FALLBACK[key]);
  const size = v('--vscode-font-size', '12px');
  return {
    colors,
    foreground: v('--vscode-charts-foreground', v('--vscode-foreground', '#cccccc')),
    grid: v('--vscode-charts-lines', 'rgba(128, 128, 128, 0.25)'),
    font: `${parseInt(size, 10) - 1 || 11}px ${v('--vscode-font-family', 'sans-serif')}`,
  };
}

/** Calls `redraw` when the theme changes (VS Code swaps the body's classes). */
export function onThemeChange(redraw: () => void, body: HTMLElement = document.body): () => void {
  const observer = new MutationObserver(() => redraw());
  observer.observe(body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
  return () => observer.disconnect();
}
