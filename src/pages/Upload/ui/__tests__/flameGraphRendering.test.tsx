import { renderHook } from '@testing-library/react';
import fc from 'fast-check';
import path from 'path';
import { createTheme } from '@grafana/data';
import { flameGraphFrame } from '../../domain/flameGraphFrame';
import { FlameGraphRows } from '../../domain/flameGraphRows';
import { LevelItem } from '../flameGraphData';
import { MutedArea, RenderOptions, useFlameRender } from '../flameGraphRendering';
import { callTrees } from '../../../../../tests/helpers/callTrees';

// The library's own drawing and data container, required by file: the name the library itself imports its drawing
// by is mapped to the plugin's (jest.config.js), and the package exports only its index.
const LIBRARY = path.join(__dirname, '../../../../../node_modules/@grafana/flamegraph/dist/cjs');
const libraryRendering = require(path.join(LIBRARY, 'FlameGraph/rendering.cjs')) as {
  useFlameRender: (options: RenderOptions) => void;
};
const { FlameGraphDataContainer } = require(path.join(LIBRARY, 'FlameGraph/dataTransform.cjs'));

type Rect = [x: number, y: number, width: number, height: number];

class RecordingPath {
  readonly rects: Rect[] = [];
  rect(x: number, y: number, width: number, height: number) {
    this.rects.push([x, y, width, height]);
  }
}

/**
 * A 2D context that writes down what is drawn: every operation in order, except fills of a whole `Path2D` (the grey
 * area of narrow bars), whose rectangles are kept apart, because the two drawings may split that area differently.
 */
class RecordingContext {
  readonly ops: unknown[][] = [];
  readonly areas: Array<{ fillStyle: string; rects: Rect[] }> = [];
  readonly canvas = {
    width: 0,
    height: 0,
    style: {} as Record<string, string>,
    getContext: () => this,
  };
  fillStyle = '';
  strokeStyle = '';
  font = '';
  textBaseline = '';
  textAlign = 'start';
  private path: Rect[] = [];
  private readonly saved: string[] = [];

  clearRect(...args: number[]) {
    this.ops.push(['clearRect', ...args]);
  }
  beginPath() {
    this.path = [];
  }
  rect(x: number, y: number, width: number, height: number) {
    this.path.push([x, y, width, height]);
  }
  stroke() {
    this.ops.push(['stroke', this.strokeStyle, ...this.path]);
  }
  fill(area?: RecordingPath) {
    if (area) {
      this.areas.push({ fillStyle: this.fillStyle, rects: area.rects });
    } else {
      this.ops.push(['fill', this.fillStyle, ...this.path]);
    }
  }
  clip() {
    this.ops.push(['clip', ...this.path]);
  }
  save() {
    this.saved.push(this.textAlign);
    this.ops.push(['save']);
  }
  restore() {
    this.textAlign = this.saved.pop()!;
    this.ops.push(['restore']);
  }
  measureText(text: string) {
    return { width: text.length * 7 };
  }
  fillText(text: string, x: number, y: number) {
    this.ops.push(['fillText', text, x, y, this.textAlign, this.fillStyle]);
  }
}

beforeAll(() => {
  (globalThis as { Path2D?: unknown }).Path2D = RecordingPath;
});

interface Scene {
  rows: FlameGraphRows;
  collapsing: boolean;
  collapseAll?: boolean;
  wrapperWidth: number;
  zoom?: [number, number];
  focusedLevel?: number;
  textAlign: 'left' | 'right';
  colorScheme: 'valueBased' | 'packageBased';
  matched?: string[];
  sandwich?: string;
}

/** Draws the scene with one of the two drawings, as the library's FlameGraph and FlameGraphCanvas would call it. */
function draw(useRender: (options: RenderOptions) => void, scene: Scene): RecordingContext {
  const theme = createTheme();
  const data = new FlameGraphDataContainer(flameGraphFrame(scene.rows), { collapsing: scene.collapsing }, theme);
  let collapsedMap = data.getCollapsedMap();
  if (scene.collapseAll !== undefined) {
    collapsedMap = collapsedMap.setAllCollapsedStatus(scene.collapseAll);
  }
  let levels: LevelItem[][] = data.getLevels();
  let root = levels[0][0];
  let direction: 'children' | 'parents' = 'children';
  let totalViewTicks = root.value;
  const [callers, callees] = scene.sandwich ? (data.getSandwichLevels(scene.sandwich) as LevelItem[][][]) : [[], []];
  // As the library's FlameGraph: the callers' graph of the sandwich view, if the function is in the graph.
  if (callers.length > 0) {
    levels = callers;
    root = callers[callers.length - 1][0];
    direction = 'parents';
    totalViewTicks = callees[0]?.[0]?.value ?? 0;
  }
  const focused =
    scene.focusedLevel !== undefined ? levels[Math.min(scene.focusedLevel, levels.length - 1)]?.[0] : undefined;
  const context = new RecordingContext();
  const options: RenderOptions = {
    canvasRef: { current: context.canvas as unknown as HTMLCanvasElement },
    data,
    root,
    direction,
    depth: levels.length,
    wrapperWidth: scene.wrapperWidth,
    rangeMin: scene.zoom?.[0] ?? 0,
    rangeMax: scene.zoom?.[1] ?? 1,
    matchedLabels: scene.matched && new Set(scene.matched),
    textAlign: scene.textAlign,
    totalViewTicks,
    totalColorTicks: totalViewTicks,
    totalTicksRight: undefined,
    colorScheme: scene.colorScheme as RenderOptions['colorScheme'],
    focusedItemData: focused && { item: focused },
    collapsedMap,
  };
  renderHook(() => useRender(options));
  return context;
}

/**
 * Whether two sets of rectangles cover the same area: on each row, every piece between two consecutive edges of
 * either set is covered by both or by neither (pieces thinner than a millionth of a pixel are rounding, not area).
 */
function sameArea(a: Rect[], b: Rect[]): boolean {
  const rows = new Set([...a, ...b].map(([, y, , height]) => `${y}:${height}`));
  for (const row of rows) {
    const onRow = (rects: Rect[]) => rects.filter(([, y, , height]) => `${y}:${height}` === row);
    const [rowA, rowB] = [onRow(a), onRow(b)];
    const edges = [...rowA, ...rowB].flatMap(([x, , width]) => [x, x + width]).sort((p, q) => p - q);
    for (let i = 0; i + 1 < edges.length; i++) {
      if (edges[i + 1] - edges[i] < 1e-6) {
        continue;
      }
      const middle = (edges[i] + edges[i + 1]) / 2;
      const covers = (rects: Rect[]) => rects.some(([x, , width]) => x <= middle && middle <= x + width);
      if (covers(rowA) !== covers(rowB)) {
        return false;
      }
    }
  }
  return true;
}

const NAMES = ['main', 'app/server.py:serve', 'app/db.py:query', 'json.loads', 'System.Threading.Run()', 'io'];

/** Random call trees over the names, as graph rows, wide and narrow nodes mixed. */
const graphs = callTrees(fc.constantFrom(...NAMES), fc.oneof(fc.nat(3), fc.nat(400)), { minLength: 1, maxLength: 80 })
  .filter((list) => list[0].value > 0)
  .map((list): FlameGraphRows => ({
    level: Int32Array.from(list, (node) => node.level),
    value: Float64Array.from(list, (node) => node.value),
    self: Float64Array.from(list, (node) => node.self),
    label: Int32Array.from(list, (node, i) => (i === 0 ? 0 : 1 + NAMES.indexOf(node.label))),
    names: ['total', ...NAMES],
    unit: 'nanoseconds',
    leftOut: 0,
    drawnFraction: 0,
  }));

const scenes: fc.Arbitrary<Scene> = fc.record(
  {
    rows: graphs,
    collapsing: fc.boolean(),
    collapseAll: fc.boolean(),
    wrapperWidth: fc.integer({ min: 40, max: 2000 }),
    zoom: fc
      .tuple(fc.double({ min: 0, max: 0.9, noNaN: true }), fc.double({ min: 0.05, max: 1, noNaN: true }))
      .map(([from, width]): [number, number] => [from, Math.min(1, from + width)]),
    focusedLevel: fc.nat(4),
    textAlign: fc.constantFrom('left' as const, 'right' as const),
    colorScheme: fc.constantFrom('valueBased' as const, 'packageBased' as const),
    matched: fc.subarray(NAMES),
    sandwich: fc.constantFrom(...NAMES),
  },
  { requiredKeys: ['rows', 'collapsing', 'wrapperWidth', 'textAlign', 'colorScheme'] }
);

describe('the plugin’s drawing of the flame graph', () => {
  it('draws what @grafana/flamegraph draws: the same bars, colours, labels and grey area, on any graph', () => {
    fc.assert(
      fc.property(scenes, (scene) => {
        const ours = draw(useFlameRender, scene);
        const library = draw(libraryRendering.useFlameRender, scene);
        expect(ours.ops).toEqual(library.ops);
        expect(ours.canvas.width).toBe(library.canvas.width);
        expect(ours.canvas.height).toBe(library.canvas.height);
        expect(ours.canvas.style).toEqual(library.canvas.style);
        expect(ours.areas.map((area) => area.fillStyle)).toEqual(library.areas.map((area) => area.fillStyle));
        expect(sameArea(ours.areas[0]?.rects ?? [], library.areas[0]?.rects ?? [])).toBe(true);
      }),
      { numRuns: 300 }
    );
  });

  it('fills the grey area of many narrow call paths as a few rectangles per row', () => {
    // 400 paths of 30 frames, each 1/400 of the total: about 1.5 px wide at 612 px, all of them grey.
    const level: number[] = [0];
    for (let path = 0; path < 400; path++) {
      for (let depth = 1; depth <= 30; depth++) {
        level.push(depth);
      }
    }
    const value = level.map((l) => (l === 0 ? 400 : 1));
    const rows: FlameGraphRows = {
      level: Int32Array.from(level),
      value: Float64Array.from(value),
      self: Float64Array.from(level.map((l) => (l === 30 ? 1 : 0))),
      label: Int32Array.from(level.map((l) => (l === 0 ? 0 : 1 + (l % NAMES.length)))),
      names: ['total', ...NAMES],
      unit: 'nanoseconds',
      leftOut: 0,
      drawnFraction: 0,
    };
    const scene: Scene = { rows, collapsing: false, wrapperWidth: 612, textAlign: 'left', colorScheme: 'packageBased' };
    const ours = draw(useFlameRender, scene);
    const library = draw(libraryRendering.useFlameRender, scene);
    expect(library.areas[0].rects).toHaveLength(12_000);
    expect(ours.areas[0].rects).toHaveLength(30);
    expect(sameArea(ours.areas[0].rects, library.areas[0].rects)).toBe(true);
  });
});

describe('MutedArea', () => {
  it('joins the spans of a row that touch or overlap, in any order, and keeps rows and gaps apart', () => {
    const area = new MutedArea();
    area.add(10, 0, 5);
    area.add(0, 0, 4);
    area.add(4, 0, 3);
    area.add(15 + 1e-9, 0, 2);
    area.add(0, 22, 1);
    expect(area.rectangles()).toEqual([
      [0, 0, 7],
      [10, 0, 7 + 1e-9],
      [0, 22, 1],
    ]);
  });
});
