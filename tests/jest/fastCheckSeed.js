// fast-check prints the seed of a failing property ({ seed, path }). FC_SEED=<that seed> npx jest <file> runs the same
// values again, in any property of the run that sets no seed of its own.
if (process.env.FC_SEED !== undefined) {
  require('fast-check').configureGlobal({ seed: Number(process.env.FC_SEED) });
}
