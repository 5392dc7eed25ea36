import { builtinModules } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Layering (README, "Layout"): which top-level folders a layer may import from. A relative import
// is resolved against the importing file, so core's own `core/src/cli` is not the top-level `cli/`.
const repo = import.meta.dirname;
const layering = {
  rules: {
    'no-folder-imports': {
      meta: {
        type: 'problem',
        docs: { description: 'forbid relative imports that resolve into the given top-level folders' },
        schema: [
          {
            type: 'object',
            properties: { layer: { type: 'string' }, folders: { type: 'array', items: { type: 'string' } } },
            additionalProperties: false,
          },
        ],
      },
      create(context) {
        const { layer, folders } = context.options[0];
        const check = (source) => {
          if (source?.type !== 'Literal' || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
          const target = relative(repo, resolve(dirname(context.filename), source.value))
            .split(sep)
            .join('/');
          const folder = folders.find((f) => target === f || target.startsWith(`${f}/`));
          if (folder)
            context.report({ node: source, message: `${layer} must not import from ${folder}/ (README, Layout): "${source.value}"` });
        };
        return {
          ImportDeclaration: (n) => check(n.source),
          ExportNamedDeclaration: (n) => check(n.source),
          ExportAllDeclaration: (n) => check(n.source),
          ImportExpression: (n) => check(n.source),
        };
      },
    },
  },
};

const nodeBuiltins = [...new Set(builtinModules.map((m) => m.replace(/^node:/, '')))];
const restricted = (paths, patterns = []) => [
  'error',
  { paths: paths.map((name) => ({ name, message: 'not in this layer (README, Layout)' })), patterns },
];

export default tseslint.config(
  { ignores: ['**/out/**', 'node_modules/**', '.e2e/**', '.test-artifacts/**', 'bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  { files: ['**/*.mjs', 'scripts/**/*.js'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
  // core: the domain library. No editor, no language-server library (LSP message types only in
  // core/src/protocol, the module both sides of that boundary import), nothing from the layers above.
  {
    files: ['core/**/*.ts'],
    plugins: { layering },
    rules: {
      'layering/no-folder-imports': ['error', { layer: 'core', folders: ['server', 'client', 'webviews', 'cli'] }],
      'no-restricted-imports': restricted(
        ['vscode', 'vscode-languageclient', 'vscode-languageserver'],
        [
          {
            group: [
              'vscode-languageclient/*',
              'vscode-languageserver/*',
              'vscode-languageserver-protocol',
              'vscode-languageserver-protocol/*',
              'vscode-jsonrpc',
              'vscode-jsonrpc/*',
            ],
            message: 'LSP messages belong in core/src/protocol (README, Layout)',
          },
        ],
      ),
    },
  },
  {
    files: ['core/src/protocol/**/*.ts'],
    rules: { 'no-restricted-imports': restricted(['vscode', 'vscode-languageclient', 'vscode-languageserver']) },
  },
  // webviews: browser code. No Node built-ins, no editor API, no host-side code.
  {
    files: ['webviews/**/*.ts'],
    plugins: { layering },
    rules: {
      'layering/no-folder-imports': ['error', { layer: 'webviews', folders: ['server', 'client', 'cli'] }],
      'no-restricted-imports': restricted(
        ['vscode', ...nodeBuiltins],
        [{ group: ['node:*', 'vscode-*'], message: 'webviews run in the browser (README, Layout)' }],
      ),
    },
  },
  // server: LSP wiring over core; never the extension host's code or API.
  {
    files: ['server/**/*.ts'],
    plugins: { layering },
    rules: {
      'layering/no-folder-imports': ['error', { layer: 'server', folders: ['client', 'webviews', 'cli'] }],
      'no-restricted-imports': restricted(['vscode', 'vscode-languageclient']),
    },
  },
);
