const KEY = 'tidewatch.theme';

/** Light or dark: the saved choice, else the system's. Returns a toggle. */
export function initTheme(button: HTMLButtonElement): () => void {
  const system = matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  let theme = localStorage.getItem(KEY) ?? system;
  const apply = () => {
    document.documentElement.dataset.theme = theme;
    button.textContent = theme === 'dark' ? 'Light' : 'Dark';
    button.title = `Switch to ${theme === 'dark' ? 'light' : 'dark'} theme (t)`;
    button.setAttribute('aria-label', button.title);
  };
  apply();
  const toggle = () => {
    theme = theme === 'dark' ? 'light' : 'dark';
    localStorage.setItem(KEY, theme);
    apply();
  };
  button.addEventListener('click', toggle);
  return toggle;
}
