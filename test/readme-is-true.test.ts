import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SETTINGS, type SettingSpec } from '../src/config/index.js';

describe('README', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

  it('shows the two quick-start commands', () => {
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm ci && npm test');
  });

  it('documents every setting with its real default', () => {
    for (const spec of Object.values(SETTINGS) as SettingSpec[]) {
      const def = spec.required ? '(required)' : spec.default === undefined ? '—' : `\`${spec.default}\``;
      expect(readme).toContain(`| \`${spec.env}\` | ${def} | ${spec.doc} |`);
    }
  });
});
