import { useEffect, useState } from 'preact/hooks';

/** The console's pages live under /admin/ in the address bar (History API), so that links such as the quarantine mail's work. */
export const BASE = '/admin/';

export function currentPath(): string {
  const p = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '';
  return p.replace(/\/+$/, '');
}

const listeners = new Set<() => void>();

export function navigate(path: string, replace = false): void {
  const url = BASE + path;
  if (url === location.pathname) return;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  for (const l of listeners) l();
}

addEventListener('popstate', () => {
  for (const l of listeners) l();
});

/** The path below /admin/, split into decoded segments; re-renders on navigation. */
export function useRoute(): string[] {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const l = (): void => setPath(currentPath());
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return path === '' ? [] : path.split('/').map((s) => decodeURIComponent(s));
}

export function link(path: string): { href: string; onClick: (e: MouseEvent) => void } {
  return {
    href: BASE + path,
    onClick: (e: MouseEvent) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
      e.preventDefault();
      navigate(path);
    },
  };
}
