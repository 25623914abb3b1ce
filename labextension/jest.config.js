/** Unit tests of the pure modules (merge rule, validation, cards, coverage); no browser. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  testRegex: 'src/__tests__/.*\\.spec\\.ts$',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }]
  }
};
