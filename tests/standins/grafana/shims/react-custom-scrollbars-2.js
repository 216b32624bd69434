// @grafana/ui's .mjs files default-import this CommonJS package. Grafana's webpack honours its __esModule flag;
// esbuild gives .mjs importers Node's interop (default = module.exports). Export the component itself.
module.exports = require('../../../../node_modules/react-custom-scrollbars-2/lib/index.js').default;
