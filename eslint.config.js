// ESLint with typescript-eslint's type-aware rules. The rules that matter most here are
// the ones about promises: a floating promise in a runner that drives hundreds of SSH
// channels at once is a lost error or a hang.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/results/**', 'test/fixtures/corpus/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // tsconfig.test.json covers the product code and the tests alike.
        project: ['./tsconfig.test.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // hound turns YAML and inventory scalars into text the way Ansible's Python does with str();
      // where a value may be a container it goes through pythonStr/pythonRepr, not String().
      '@typescript-eslint/no-base-to-string': 'off',
      // Modules implement an async interface; many answer without awaiting anything.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Tests poke at parsed JSON and terminal bytes: `any` and control characters are their material.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/require-await': 'off',
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: { module: 'readonly', require: 'readonly', process: 'readonly' } },
    extends: [tseslint.configs.disableTypeChecked],
  },
);
