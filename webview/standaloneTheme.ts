// Outside VS Code nobody sets the `--vscode-…` colour variables. The stylesheet carries a dark
// and a light set for `body.standalone`; this picks one from the system preference and
// follows it, using the same body classes VS Code uses, so the toolkit re-reads its tokens.

export function applyStandaloneTheme(body: HTMLElement): void {
  const query = window.matchMedia('(prefers-color-scheme: light)');
  const apply = () => {
    const light = query.matches;
    body.classList.add('standalone');
    body.classList.toggle('vscode-light', light);
    body.classList.toggle('vscode-dark', !light);
    body.setAttribute('data-vscode-theme-kind', light ? 'vscode-light' : 'vscode-dark');
  };
  apply();
  query.addEventListener('change', apply);
}
