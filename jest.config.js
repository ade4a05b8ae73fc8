/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      // keep `await import()` so the ESM-only kubernetes-models validators load natively
      module: { type: 'commonjs', ignoreDynamic: true },
    }],
  },
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
  // the command's tests run the compiled library in child processes, as a user does
  globalSetup: '<rootDir>/test/global-setup.js',
  // the reference platform imports the package by name, as a user's platform does
  moduleNameMapper: { '^eks-platform-constructs$': '<rootDir>/lib/index.ts', '^eks-platform-constructs/model$': '<rootDir>/lib/model/index.ts' },
  testTimeout: 60000,
};
