// Lint, plus the import-boundary check: the core never imports an edge, and the pure decision
// stages (mailflow/, rules/) touch no I/O at all.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const edges = ['smtp', 'api', 'cli', 'queue', 'delivery', 'store/sqlite', 'store/postgres'];
const edgePatterns = edges.flatMap((e) => [`**/${e}/*`, `**/${e}/**`, `../${e}/*`, `../../${e}/*`]);
const ioModules = ['node:fs', 'node:fs/promises', 'node:net', 'node:tls', 'node:child_process', 'better-sqlite3', 'pg', 'smtp-server', 'nodemailer', 'fastify'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'web/dist/**', 'data/**', '.tmp/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', setImmediate: 'readonly', performance: 'readonly', AbortController: 'readonly', structuredClone: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['src/{config,content,mailflow,rules,trace,hunting,quarantine,auth,shell}/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: edgePatterns, message: 'The core never imports an edge (DESIGN.md: dependencies point inward).' }] }] },
  },
  {
    files: ['src/{mailflow,rules}/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ioModules.map((name) => ({ name, message: 'Decision stages are pure: no I/O (DESIGN.md).' })),
        patterns: [{ group: edgePatterns, message: 'The core never imports an edge (DESIGN.md: dependencies point inward).' }],
      }],
    },
  },
);
