// force timezone to UTC to allow tests to work regardless of local timezone
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');

module.exports = {
  ...base,
  testMatch: [...base.testMatch, '<rootDir>/cli/**/__tests__/**/*.{ts,tsx}'],
  // d3-color and friends publish `.mjs` entry points that the scaffold's transform pattern does not cover.
  transform: {
    '^.+\\.(t|j)sx?$': base.transform['^.+\\.(t|j)sx?$'],
    '^.+\\.mjs$': base.transform['^.+\\.(t|j)sx?$'],
  },
};
