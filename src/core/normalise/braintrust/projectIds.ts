// Braintrust projects are Spanscope projects, named alike. The SDK needs an id for each
// (it sends `project_id` with every row, and a `project_id`-only logger asks for the name
// back), and the collector keeps no table of them: the id is the name itself, encoded
// (`p-` + base64url of its UTF-8), so it survives restarts and any id decodes without state.
// An id that is not one of ours (a real Braintrust project's UUID) names a project of its own.

const PREFIX = 'p-';

export function projectIdOf(name: string): string {
  const bytes = new TextEncoder().encode(name);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return PREFIX + btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function projectNameOf(id: string): string {
  if (!id.startsWith(PREFIX) || !/^[A-Za-z0-9_-]+$/.test(id.slice(PREFIX.length))) return id;
  try {
    const binary = atob(id.slice(PREFIX.length).replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const name = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return name && projectIdOf(name) === id ? name : id;
  } catch {
    return id;
  }
}
