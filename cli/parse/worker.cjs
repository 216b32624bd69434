// The parse worker's entry point: a worker thread starts without the CLI's TypeScript loader, so it registers tsx
// (which the CLI runs under anyway) and then loads the worker's TypeScript.
require('tsx/cjs');
require('./parseWorker.ts');
