// force timezone to UTC to allow tests to work regardless of local timezone
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');
const { grafanaESModules, nodeModulesToTransform } = require('./.config/jest/utils');

// d3-color and friends publish `.mjs` entry points that the scaffold's transform pattern does not cover.
const transform = {
  '^.+\\.(t|j)sx?$': base.transform['^.+\\.(t|j)sx?$'],
  '^.+\\.mjs$': base.transform['^.+\\.(t|j)sx?$'],
};

module.exports = {
  // Rendering Grafana's components in jsdom is slow on a loaded 2-core machine.
  testTimeout: 30_000,
  projects: [
    {
      // The conversion core and the command-line tool run in Node (and in a Web Worker): no DOM.
      ...base,
      displayName: 'core',
      transform,
      testEnvironment: 'node',
      setupFilesAfterEnv: ['<rootDir>/tests/jest/typedArrayEquality.js', '<rootDir>/tests/jest/fastCheckSeed.js'],
      testMatch: [
        '<rootDir>/src/core/**/__tests__/**/*.test.ts',
        '<rootDir>/cli/**/__tests__/**/*.test.ts',
        '<rootDir>/tests/standins/__tests__/**/*.test.ts',
      ],
    },
    {
      ...base,
      displayName: 'ui',
      transform,
      setupFilesAfterEnv: [
        ...base.setupFilesAfterEnv,
        '<rootDir>/tests/jest/setupUi.js',
        '<rootDir>/tests/jest/typedArrayEquality.js',
      ],
      testMatch: ['<rootDir>/src/**/__tests__/**/*.test.{ts,tsx}'],
      testPathIgnorePatterns: ['<rootDir>/src/core/'],
      // @grafana/flamegraph pulls in more ESM-only d3 packages than the scaffold lists.
      transformIgnorePatterns: [
        nodeModulesToTransform([...grafanaESModules, 'd3-[a-z-]+', 'internmap', 'delaunator', 'robust-predicates']),
      ],
      moduleNameMapper: {
        ...base.moduleNameMapper,
        '/infrastructure/createParseWorker$': '<rootDir>/tests/mocks/createParseWorker.ts',
        // As in the build (webpack.config.ts): the plugin's top table, drawing and data in @grafana/flamegraph's
        // place, and the library's files they import.
        '^\\./TopTable/FlameGraphTopTableContainer\\.(c|m)?js$': '<rootDir>/src/pages/Upload/ui/FlameGraphTopTable.tsx',
        '^\\./rendering\\.(c|m)?js$': '<rootDir>/src/pages/Upload/ui/flameGraphRendering.ts',
        '^\\./FlameGraph/dataTransform\\.(c|m)?js$': '<rootDir>/src/pages/Upload/ui/flameGraphData.ts',
        '^flamegraph-dist/(colors|treeTransforms)$':
          '<rootDir>/node_modules/@grafana/flamegraph/dist/cjs/FlameGraph/$1.cjs',
        '^flamegraph-dist/(constants|types)$': '<rootDir>/node_modules/@grafana/flamegraph/dist/cjs/$1.cjs',
      },
    },
  ],
};
