// jsdom has no canvas: @grafana/ui measures text and @grafana/flamegraph draws on one. The scaffold's setup stubs
// getContext with a function returning undefined; jest-canvas-mock replaces it with a recording 2D context.
delete HTMLCanvasElement.prototype.getContext;
require('jest-canvas-mock');
