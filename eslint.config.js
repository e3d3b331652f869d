import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/dashboard/**', '.tmp/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // better-sqlite3 is an optional dependency whose binary fits one Node ABI: only
    // store/sqlite-driver.ts loads it, on first open and only when node:sqlite is missing.
    files: ['src/**/*.ts', 'tests/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'better-sqlite3',
              allowTypeImports: true,
              message:
                'Open SQLite through src/store/sqlite-driver.ts (openSqlite), which loads the driver lazily.',
            },
          ],
        },
      ],
    },
  },
  {
    // The layers of docs/architecture.md, enforced: core is a leaf, the store knows no rules, the
    // queue knows no surface. An arrow the wrong way fails lint instead of creeping in.
    files: ['src/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['../*', '!../core/*'] }] },
  },
  {
    files: ['src/store/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['../queue/*', '../mcp/*', '../http/*', '../cli/*', '../settings/*', '../open.js'] },
      ],
    },
  },
  {
    files: ['src/queue/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '../mcp/*',
            '../http/*',
            '../cli/*',
            '../settings/*',
            '../open.js',
            'pg',
            'better-sqlite3',
          ],
        },
      ],
    },
  },
  {
    // The remote queue is what a machine without database access runs: nothing of the database.
    files: ['src/client/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['../store/*', '../cli/*', '../mcp/*', '../open.js', 'pg', 'better-sqlite3', 'kysely'] },
      ],
    },
  },
  {
    // Every command reads the settings, so the settings know no command.
    files: ['src/settings/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['../cli/*', '../open.js'] }] },
  },
  {
    // The dashboard's browser modules (served as they are, no build): the browser's globals.
    files: ['dashboard/**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(
        [
          'document',
          'window',
          'location',
          'sessionStorage',
          'fetch',
          'URLSearchParams',
          'TextDecoderStream',
          'AbortController',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'console',
        ].map((g) => [g, 'readonly']),
      ),
    },
  },
  {
    // Plain Node scripts (launcher, benchmarks, test fixtures) use Node's globals.
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: Object.fromEntries(
        [
          'process',
          'console',
          'performance',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
          'Buffer',
          'URL',
          'AbortController',
          'fetch',
        ].map((g) => [g, 'readonly']),
      ),
    },
  },
);
