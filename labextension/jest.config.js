/** Unit tests of the pure modules (merge rule, validation, cards, coverage); no browser. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  testRegex: 'src/__tests__/.*\\.spec\\.ts$',
  // The differential spec needs the cases the Python side generates (it sets the variable).
  testPathIgnorePatterns: process.env.AISEC_MERGE_CASES ? ['/node_modules/'] : ['/node_modules/', 'differential'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }]
  }
};
