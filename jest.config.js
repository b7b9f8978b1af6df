// Five suites: unit specs beside the code (pure, fast), and integration, e2e, fault and security suites that run
// against a real Kafka broker, schema registry and ClickHouse engine started by the global setup.
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }] };
const system = {
  transform,
  testEnvironment: 'node',
  globalSetup: '<rootDir>/tests/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/tests/helpers/global-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/tests/helpers/system-timeout.ts'],
};

module.exports = {
  projects: [
    {
      displayName: 'unit',
      transform,
      testEnvironment: 'node',
      testMatch: [
        '<rootDir>/{core,producers,processors,sinks,stack,cli,schemas,dashboard,bench,docker}/**/*.spec.ts',
      ],
    },
    {
      displayName: 'integration',
      ...system,
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts', '<rootDir>/tests/conformance/**/*.test.ts'],
    },
    { displayName: 'e2e', ...system, testMatch: ['<rootDir>/tests/e2e/**/*.test.ts'] },
    { displayName: 'fault', ...system, testMatch: ['<rootDir>/tests/fault/**/*.test.ts'] },
    { displayName: 'security', ...system, testMatch: ['<rootDir>/tests/security/**/*.test.ts'] },
  ],
};
