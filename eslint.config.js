import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'console/dist/**', 'node_modules/**', 'test-artifacts/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The backend never imports the demo: the demo depends on the backend, and the `orrery` bin that
    // knows both is assembled on the demo side (demo/cli/main.ts). test/architecture.test.ts checks
    // the same, template-string import() included.
    files: ['src/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/demo', '**/demo/**'], message: 'src/ must not import demo/ (see demo/cli/main.ts).' },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportExpression[source.value=/(^|\\/)demo(\\/|$)/]',
          message: 'src/ must not import demo/ (see demo/cli/main.ts).',
        },
      ],
    },
  },
);
