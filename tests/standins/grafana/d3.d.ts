// The host only passes d3 through to the plugin as a shared module; its API is not used here.
declare module 'd3';
