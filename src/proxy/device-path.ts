const PATH = '/microsoft-server-activesync';

/** True for the ActiveSync endpoint, in any letter case, with or without a query or a trailing slash. */
export function isDevicePath(url: string | undefined): boolean {
  if (url === undefined || url.length < PATH.length) return false;
  const next = url.charCodeAt(PATH.length);
  // NaN (end), '?' (63) or '/' (47) directly after the path.
  if (!(Number.isNaN(next) || next === 63 || (next === 47 && (url.length === PATH.length + 1 || url.charCodeAt(PATH.length + 1) === 63)))) return false;
  return url.slice(0, PATH.length).toLowerCase() === PATH;
}
