// jsdom has no canvas: @grafana/ui measures text and @grafana/flamegraph draws on one. The scaffold's setup stubs
// getContext with a function returning undefined; jest-canvas-mock replaces it with a recording 2D context.
delete HTMLCanvasElement.prototype.getContext;
require('jest-canvas-mock');

// waitFor and findBy* give up after 1 s by default: rendering Grafana's components on a loaded 2-core machine can take
// longer. They wait for a condition, so a long bound costs nothing when all is well; it stays under the 30 s test
// timeout, so a failure still ends with their message and the DOM.
require('@testing-library/react').configure({ asyncUtilTimeout: 20_000 });
