/**
 * Regenerates the two documentation tables that are derived from code: the error codes
 * (docs/errors.md, from src/errors.ts) and the configuration table of README.md (from
 * src/config/settings.ts). Tests fail when either drifts; run `npm run docs` to mend.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { ERRORS } from '../src/errors.js';
import { SETTINGS, type SettingSpec } from '../src/config/index.js';

const root = new URL('..', import.meta.url);

let errors = '# Error codes\n\nEvery error the gateway answers or logs with has a stable code `EASGATE_ERR_<AREA>_<WHAT>`.\nAnswers to devices carry it in the `X-Easgate-Error` header and in a one-line text body.\nThe table in `src/errors.ts` is the source; `test/errors-are-documented.test.ts` fails when this page and it drift apart\n(`npm run docs` regenerates it).\n\n| code | HTTP | meaning |\n| --- | --- | --- |\n';
for (const [code, e] of Object.entries(ERRORS)) errors += `| \`${code}\` | ${e.status === 0 ? '—' : e.status} | ${e.message} |\n`;
errors +=
  '\nThe admin API (`/api/v1`, docs/admin-api.md) answers errors as JSON `{ "code", "message", "field" }`\n' +
  '(`field` only for INVALID and UNKNOWN_FIELD: the path of the bad field, e.g. `license.total`, `users[3]`).\n';
writeFileSync(new URL('docs/errors.md', root), errors);

const readme = readFileSync(new URL('README.md', root), 'utf8');
const rows = (Object.values(SETTINGS) as SettingSpec[]).map((s) => {
  const def = s.required ? '(required)' : s.default === undefined ? '—' : `\`${s.default}\``;
  return `| \`${s.env}\` | ${def} | ${s.doc} |`;
});
const head = '| variable | default | meaning |\n| --- | --- | --- |\n';
const start = readme.indexOf(head);
if (start < 0) throw new Error('README.md has no configuration table');
let end = start + head.length;
while (readme.startsWith('| `EASGATE_', end)) end = readme.indexOf('\n', end) + 1;
writeFileSync(new URL('README.md', root), readme.slice(0, start) + head + rows.join('\n') + '\n' + readme.slice(end));
